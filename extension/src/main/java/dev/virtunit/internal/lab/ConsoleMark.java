package dev.virtunit.internal.lab;

import dev.virtunit.internal.host.HostFiles;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Where a guest's serial console log stood at its last (re)start. libvirt appends to the log across starts and an
 * in-guest reboot keeps writing to it, so a {@code readyWhen} line must be looked for only in what follows the mark:
 * otherwise the last boot's "login:" would make a rebooting guest look ready. The log is a file of the lab's host
 * ({@link HostFiles}): this machine's, or a remote host's.
 */
final class ConsoleMark {

    private final HostFiles files;
    private final Path log;
    private volatile long mark;

    /** Marks the start of the log: the first boot's output is all new. */
    ConsoleMark(Path log) {
        this(HostFiles.local(), log);
    }

    /** Marks the start of the log {@code log} among {@code files}. */
    ConsoleMark(HostFiles files, Path log) {
        this.files = files;
        this.log = log;
    }

    /** Remembers where the log ends now, before the guest is (re)started. */
    void markEnd() {
        try {
            mark = files.size(log).orElse(0);
        } catch (RuntimeException e) {
            mark = 0;
        }
    }

    /** Where the log ended at the last (re)start, in bytes. */
    long position() {
        return mark;
    }

    /**
     * What the console printed since the mark; all of it if the log was cut since.
     *
     * @throws dev.virtunit.VirtunitException when the log cannot be read
     */
    String sinceMark() {
        long size = files.size(log).orElse(-1);
        if (size < 0) {
            return "";
        }
        long from = mark <= size ? mark : 0;
        return new String(files.readFrom(log, from).orElse(new byte[0]), StandardCharsets.ISO_8859_1);
    }
}
