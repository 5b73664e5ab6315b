package dev.virtunit.internal.lab;

import dev.virtunit.VirtunitException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Where a guest's serial console log stood at its last (re)start. libvirt appends to the log across starts and an
 * in-guest reboot keeps writing to it, so a {@code readyWhen} line must be looked for only in what follows the mark:
 * otherwise the last boot's "login:" would make a rebooting guest look ready.
 */
final class ConsoleMark {

    private final Path log;
    private volatile long mark;

    /** Marks the start of the log: the first boot's output is all new. */
    ConsoleMark(Path log) {
        this.log = log;
    }

    /** Remembers where the log ends now, before the guest is (re)started. */
    void markEnd() {
        try {
            mark = Files.exists(log) ? Files.size(log) : 0;
        } catch (IOException e) {
            mark = 0;
        }
    }

    /** Where the log ended at the last (re)start, in bytes. */
    long position() {
        return mark;
    }

    /** What the console printed since the mark; all of it if the log was cut since. */
    String sinceMark() {
        try (SeekableByteChannel channel = Files.newByteChannel(log)) {
            long size = channel.size();
            long from = mark <= size ? mark : 0;
            ByteBuffer bytes = ByteBuffer.allocate((int) Math.min(Integer.MAX_VALUE - 8, size - from));
            channel.position(from);
            while (bytes.hasRemaining() && channel.read(bytes) > 0) {
                // up to the end the log had when opened
            }
            return new String(bytes.array(), 0, bytes.position(), StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException e) {
            return "";
        } catch (IOException e) {
            throw new VirtunitException("cannot read the console log " + log + ": " + e.getMessage(), e);
        }
    }
}
