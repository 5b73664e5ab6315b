package dev.virtunit.internal.host;

import java.io.InputStream;
import java.io.OutputStream;
import dev.virtunit.internal.text.ShellQuoting;

import java.io.File;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * {@link HostCommands} on this machine: each program a child process of the JVM, stdin from /dev/null or the input
 * given.
 */
final class LocalHostCommands implements HostCommands {

    static final LocalHostCommands INSTANCE = new LocalHostCommands();

    private LocalHostCommands() {
    }

    @Override
    public CommandResult run(Duration timeout, List<String> argv) {
        return run(timeout, argv, (byte[]) null);
    }

    /** {@code input} null: stdin from /dev/null. */
    @Override
    public CommandResult run(Duration timeout, List<String> argv, byte[] input) {
        long started = System.nanoTime();
        Process process;
        try {
            ProcessBuilder builder = new ProcessBuilder(argv);
            process = (input == null ? builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    : builder).start();
        } catch (IOException e) {
            throw new CommandFailedException("cannot start " + ShellQuoting.join(argv) + ": " + e.getMessage()
                    + " (is the program installed? scripts/setup-host installs what virtunit needs)", null, e);
        }
        // Both streams are drained concurrently so a chatty stderr cannot block the process on a full pipe.
        CompletableFuture<String> stdout = ProcessOutput.readAll(process.getInputStream());
        CompletableFuture<String> stderr = ProcessOutput.readAll(process.getErrorStream());
        if (input != null) {
            ProcessOutput.writeAll(process.getOutputStream(), input);
        }
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
                throw new CommandFailedException(ShellQuoting.join(argv) + " did not finish within " + timeout
                        + "; stderr so far: " + soFar(stderr).strip(), null, null);
            }
            return new CommandResult(argv, process.exitValue(), stdout.get(), stderr.get(),
                    Duration.ofNanos(System.nanoTime() - started));
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new CommandFailedException("interrupted while running " + ShellQuoting.join(argv), null, e);
        } catch (ExecutionException e) {
            throw new CommandFailedException("cannot read the output of " + ShellQuoting.join(argv), null, e.getCause());
        }
    }

    /**
     * What a killed process's stream gave before the kill: its reader may have ended with "Stream closed" when the
     * kill closed the pipe, which must not hide the timeout being reported.
     */
    private static String soFar(CompletableFuture<String> output) {
        return output.handle((text, failure) -> failure == null ? text : "").getNow("");
    }

    @Override
    public HostProcess start(List<String> argv) {
        List<String> copy = List.copyOf(argv);
        try {
            return new LocalProcess(copy, new ProcessBuilder(copy).start());
        } catch (IOException e) {
            throw new CommandFailedException("cannot start " + ShellQuoting.join(copy) + ": " + e.getMessage()
                    + " (is the program installed? scripts/setup-host installs what virtunit needs)", null, e);
        }
    }

    @Override
    public String toString() {
        return "this machine";
    }

    /** A child process of this JVM. */
    private record LocalProcess(List<String> argv, Process process) implements HostProcess {

        @Override
        public long pid() {
            return process.pid();
        }

        @Override
        public InputStream stdout() {
            return process.getInputStream();
        }

        @Override
        public InputStream stderr() {
            return process.getErrorStream();
        }

        @Override
        public OutputStream stdin() {
            return process.getOutputStream();
        }

        @Override
        public void closeInput() {
            try {
                process.getOutputStream().close();
            } catch (IOException e) {
                // a pipe that cannot be closed is one the program no longer reads: the same end of input for it
            }
        }

        @Override
        public boolean isAlive() {
            return process.isAlive();
        }

        @Override
        public OptionalInt exitCode() {
            return process.isAlive() ? OptionalInt.empty() : OptionalInt.of(process.exitValue());
        }

        @Override
        public boolean waitFor(Duration timeout) throws InterruptedException {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }

        @Override
        public void terminate() {
            process.destroy();
        }

        @Override
        public void kill() {
            process.destroyForcibly();
        }
    }
}
