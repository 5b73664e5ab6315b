package dev.virtunit.internal.lab;

import dev.virtunit.VirtunitException;
import dev.virtunit.internal.host.HostFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * A guest's serial console log followed as it grows: each call to {@link #newLines()} reads only what was appended
 * since the last, so watching a chatty boot several times a second costs nothing. Lines come {@linkplain #clean
 * cleaned}: the terminal escapes of SeaBIOS's serial console and of boot loaders removed, other control characters
 * made visible.
 */
final class ConsoleLog {

    /** A CSI sequence ({@code ESC [ ... letter}: cursor moves, colours, clears), then any other two-byte escape ({@code ESC c}). */
    private static final Pattern ESCAPES = Pattern.compile("\u001B\\[[0-?]*[ -/]*[@-~]|\u001B[@-~]?");
    private static final Pattern CONTROLS = Pattern.compile("[\\x00-\\x08\\x0b-\\x1f\\x7f]");
    /** Output that never ends its line (a progress bar redrawn with carriage returns) is cut here, not kept whole. */
    private static final int LONGEST_LINE = 64 * 1024;

    private final HostFiles files;
    private final Path file;
    private long offset;
    private final StringBuilder unfinished = new StringBuilder();

    /** Follows {@code file} from its beginning. */
    ConsoleLog(Path file) {
        this(file, 0);
    }

    /** Follows {@code file} from byte {@code from} on: what a guest printed since its last (re)start. */
    ConsoleLog(Path file, long from) {
        this(HostFiles.local(), file, from);
    }

    /** Follows {@code file} among {@code files} (the lab's host's) from byte {@code from} on. */
    ConsoleLog(HostFiles files, Path file, long from) {
        this.files = files;
        this.file = file;
        this.offset = from;
    }

    /**
     * The complete lines appended since the last call, cleaned; none while the log does not exist yet (QEMU creates
     * it when the domain starts).
     */
    List<String> newLines() throws IOException {
        List<String> lines = new ArrayList<>();
        OptionalLong size;
        try {
            size = files.size(file);
            if (size.isEmpty()) {
                return lines;
            }
            if (size.getAsLong() < offset) {
                // Truncated under us (a log that is not appended to): start again from its beginning.
                offset = 0;
                unfinished.setLength(0);
            }
            Optional<byte[]> read = files.readFrom(file, offset);
            if (read.isEmpty()) {
                return lines;
            }
            offset += read.get().length;
            // ISO-8859-1 maps every byte to one char: a line split across two reads is still whole when joined.
            unfinished.append(new String(read.get(), StandardCharsets.ISO_8859_1));
        } catch (VirtunitException e) {
            throw new IOException(e.getMessage(), e);
        }
        int newline;
        while ((newline = unfinished.indexOf("\n")) >= 0) {
            lines.add(clean(unfinished.substring(0, newline)));
            unfinished.delete(0, newline + 1);
        }
        if (unfinished.length() > LONGEST_LINE) {
            lines.add(clean(unfinished.toString()));
            unfinished.setLength(0);
        }
        return lines;
    }

    /** The last line read so far that has no newline yet (a prompt, say), cleaned; empty if none. */
    String unfinishedLine() {
        return clean(unfinished.toString());
    }

    /** A console line as a person should read it: escapes removed, carriage returns dropped, other controls as '?'. */
    static String clean(String rawLine) {
        String text = ESCAPES.matcher(rawLine).replaceAll("").replace("\r", "");
        return CONTROLS.matcher(text).replaceAll("?");
    }
}
