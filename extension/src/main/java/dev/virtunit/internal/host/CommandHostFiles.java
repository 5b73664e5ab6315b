package dev.virtunit.internal.host;

import dev.virtunit.VirtunitException;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * {@link HostFiles} of the host a {@link HostCommands} runs on, with that host's own programs (coreutils): a remote
 * libvirt host reached over SSH, where this JVM's java.nio cannot reach. Writes feed {@code dd of=FILE} on its stdin
 * (no shell on the host, no size limit of an argument); reads take {@code tail -c +N FILE}'s raw stdout, so a console
 * log's bytes and offsets are the host's own, whatever their encoding. Each program's argument vector is built here
 * once, for the path-level operations and for a {@link HostFolder}'s alike.
 */
final class CommandHostFiles implements HostFiles {

    /** A small file operation; a write or read of a seed or a console log's new lines takes well under that. */
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    /** What coreutils say for a missing file, in the C locale and in every translation we saw left untranslated. */
    private static final String MISSING = "No such file or directory";

    private final HostCommands commands;
    private final String where;

    CommandHostFiles(HostCommands commands, String where) {
        this.commands = commands;
        this.where = where;
    }

    @Override
    public void createDirectories(Path dir) {
        uninterrupted(() -> checked("create the folder", dir, List.of("mkdir", "-p", "--", dir.toString())), dir);
    }

    @Override
    public void write(Path file, byte[] content) {
        uninterrupted(() -> feed(file, file, "write", in -> in.write(content)), file);
    }

    @Override
    public void copyFrom(Path localFile, Path file) {
        uninterrupted(() -> feed(file, file, "copy " + localFile + " to", in -> Files.copy(localFile, in)), file);
    }

    @Override
    public Optional<byte[]> readFrom(Path file, long offset) {
        return uninterrupted(() -> read(file, offset), file);
    }

    @Override
    public OptionalLong size(Path file) {
        return uninterrupted(() -> sizeOf(file), file);
    }

    @Override
    public void remove(Path dir, String name) {
        Path path = HostFolder.entry(dir, name);
        uninterrupted(() -> checked("delete", path, List.of("rm", "-rf", "--", path.toString())), path);
    }

    @Override
    public List<String> list(Path dir) {
        return uninterrupted(() -> {
            CommandResult ls = run("list", dir, List.of("ls", "-1A", "--", dir.toString()));
            if (!ls.succeeded() && missing(ls.stderr(), dir)) {
                return List.<String>of();
            }
            requireSuccess("list", dir, ls);
            return ls.stdout().lines().filter(line -> !line.isBlank()).sorted().toList();
        }, dir);
    }

    @Override
    public void writeAtomically(Path file, byte[] content) {
        Path part = file.resolveSibling(file.getFileName() + ".part");
        uninterrupted(() -> {
            feed(file, part, "write", in -> in.write(content));
            checked("write", file, List.of("mv", "-f", "--", part.toString(), file.toString()));
        }, file);
    }

    @Override
    public void touch(Path file) {
        uninterrupted(() -> checked("touch", file, List.of("touch", "--", file.toString())), file);
    }

    @Override
    public Map<String, Long> ages(Path dir) {
        List<String> names = list(dir);
        return names.isEmpty() ? Map.of() : uninterrupted(() -> agesOf(dir, names), dir);
    }

    private Map<String, Long> agesOf(Path dir, List<String> names) {
        CommandResult date = run("read the clock for", dir, List.of("date", "+%s"));
        requireSuccess("read the clock for", dir, date);
        long now = number(date, "read the clock for", dir);
        List<String> argv = new ArrayList<>(List.of("stat", "-c", "%Y %n", "--"));
        names.forEach(name -> argv.add(HostFolder.entry(dir, name).toString()));
        // Exit 1 when one went meanwhile: the others are still printed.
        String prefix = dir + "/";
        Map<String, Long> ages = new LinkedHashMap<>();
        for (String line : run("read the ages of the entries of", dir, argv).stdout().lines().toList()) {
            int space = line.indexOf(' ');
            if (space > 0 && line.startsWith(prefix, space + 1)) {
                ages.put(line.substring(space + 1 + prefix.length()), now - Long.parseLong(line.substring(0, space)));
            }
        }
        return ages;
    }

    /**
     * Runs {@code operation} on a thread of its own and waits for it: a caller interrupted meanwhile (a guest's boot
     * cancelled while it reads the console) stops waiting, and the operation ends by itself. An interrupt must never
     * reach the SSH client in the middle of a channel: closing a channel the server has not confirmed yet is a
     * protocol error that makes the server drop the whole connection, every other command on it too (seen with
     * dropbear).
     */
    private <T> T uninterrupted(Supplier<T> operation, Path file) {
        // One operation at a time, on the lock of commands that serialise their own (OneAtATimeHostCommands).
        CompletableFuture<T> result = ProcessOutput.supply(() -> {
            synchronized (commands) {
                return operation.get();
            }
        });
        try {
            return result.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException failure ? failure
                    : new VirtunitException("cannot use " + file + " on " + where() + ": " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VirtunitException("interrupted while using " + file + " on " + where(), e);
        }
    }

    private void uninterrupted(Runnable operation, Path file) {
        uninterrupted(() -> {
            operation.run();
            return null;
        }, file);
    }

    private Optional<byte[]> read(Path file, long offset) {
        HostProcess tail = start("read", file, List.of("tail", "-c", "+" + (offset + 1), "--", file.toString()));
        // Its input is left alone: tail of a file reads none, and an end of input sent after a quick tail has ended
        // and the server closed its channel crashes dropbear ("Failed assertion `!channel->sent_close'"), dropping
        // the whole connection.
        CompletableFuture<String> stderr = ProcessOutput.readAll(tail.stderr());
        CompletableFuture<byte[]> stdout = ProcessOutput.supply(() -> {
            try (var bytes = tail.stdout()) {
                return bytes.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        byte[] read = awaitOutput(tail, stdout, "read", file);
        int exit = exitOf(tail, "read", file);
        if (exit == 0) {
            return Optional.of(read);
        }
        String why = stderrOf(stderr);
        if (missing(why, file)) {
            return Optional.empty();
        }
        throw new VirtunitException("cannot read " + file + " on " + where() + ": `tail` exited with " + exit + why);
    }

    private OptionalLong sizeOf(Path file) {
        CommandResult stat = run("read the size of", file, List.of("stat", "-c", "%s", "--", file.toString()));
        if (!stat.succeeded() && missing(stat.stderr(), file)) {
            return OptionalLong.empty();
        }
        requireSuccess("read the size of", file, stat);
        return OptionalLong.of(number(stat, "read the size of", file));
    }

    /**
     * Whether a program failed on {@code path} because it does not exist: coreutils say so in their words, or, where
     * a translation says it otherwise, {@code test -e} tells (its exit code speaks every language).
     */
    private boolean missing(String stderr, Path path) {
        return stderr.contains(MISSING) || !run("look for", path, List.of("test", "-e", path.toString())).succeeded();
    }

    /** The number {@code result} printed (a size, a time in seconds). */
    private long number(CommandResult result, String what, Path file) {
        try {
            return Long.parseLong(result.stdout().strip());
        } catch (NumberFormatException e) {
            throw new VirtunitException("cannot " + what + " " + file + " on " + where() + ": " + result.argv().get(0)
                    + " printed '" + result.stdout().strip() + "', not a number", e);
        }
    }

    @Override
    public String where() {
        return where;
    }

    private interface Feed {
        void into(OutputStream stdin) throws IOException;
    }

    /**
     * {@code dd of=INTO} fed through its stdin; its exit code says whether the file is complete. A failure names
     * {@code file}, what the caller writes ({@code into} itself, or the file it is renamed to).
     */
    private void feed(Path file, Path into, String what, Feed content) {
        HostProcess dd = start(what, file, List.of("dd", "of=" + into, "bs=65536", "status=none"));
        CompletableFuture<String> stderr = ProcessOutput.readAll(dd.stderr());
        try (OutputStream in = dd.stdin()) {
            content.into(in);
        } catch (IOException | UncheckedIOException e) {
            dd.kill();
            throw new VirtunitException("cannot " + what + " " + file + " on " + where() + ": the data did not get "
                    + "through (" + e + ")" + stderrOf(stderr), e);
        } finally {
            dd.closeInput();
        }
        int exit = exitOf(dd, what, file);
        if (exit != 0) {
            throw new VirtunitException("cannot " + what + " " + file + " on " + where() + ": `dd` exited with " + exit
                    + stderrOf(stderr));
        }
    }

    private static String stderrOf(CompletableFuture<String> stderr) {
        try {
            String text = stderr.get(5, TimeUnit.SECONDS).strip();
            return text.isEmpty() ? "" : ": " + text;
        } catch (ExecutionException | TimeoutException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    private HostProcess start(String what, Path file, List<String> argv) {
        try {
            return commands.start(argv);
        } catch (CommandFailedException e) {
            throw new VirtunitException("cannot " + what + " " + file + " on " + where() + ": " + e.getMessage(), e);
        }
    }

    private byte[] awaitOutput(HostProcess process, CompletableFuture<byte[]> output, String what, Path file) {
        try {
            return output.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            process.kill();
            throw new VirtunitException("cannot " + what + " " + file + " on " + where() + ": no end of output within "
                    + TIMEOUT.toSeconds() + " s", e);
        } catch (ExecutionException e) {
            process.kill();
            throw new VirtunitException("cannot " + what + " " + file + " on " + where() + ": " + e.getCause(), e);
        } catch (InterruptedException e) {
            process.kill();
            Thread.currentThread().interrupt();
            throw new VirtunitException("interrupted while trying to " + what + " " + file + " on " + where(), e);
        }
    }

    private int exitOf(HostProcess process, String what, Path file) {
        try {
            if (!process.waitFor(TIMEOUT)) {
                process.kill();
                throw new VirtunitException("cannot " + what + " " + file + " on " + where() + ": `"
                        + String.join(" ", process.argv()) + "` did not end within " + TIMEOUT.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            process.kill();
            Thread.currentThread().interrupt();
            throw new VirtunitException("interrupted while trying to " + what + " " + file + " on " + where(), e);
        }
        return process.exitCode().orElse(-1);
    }

    private CommandResult run(String what, Path file, List<String> argv) {
        try {
            return commands.run(TIMEOUT, argv);
        } catch (CommandFailedException e) {
            throw new VirtunitException("cannot " + what + " " + file + " on " + where() + ": " + e.getMessage(), e);
        }
    }

    private void checked(String what, Path file, List<String> argv) {
        requireSuccess(what, file, run(what, file, argv));
    }

    private void requireSuccess(String what, Path file, CommandResult result) {
        if (!result.succeeded()) {
            throw new VirtunitException("cannot " + what + " " + file + " on " + where() + ": "
                    + CommandFailedException.exited(result).getMessage());
        }
    }

    @Override
    public String toString() {
        return "HostFiles[" + where() + "]";
    }
}
