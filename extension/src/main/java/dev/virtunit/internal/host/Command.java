package dev.virtunit.internal.host;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Runs one external program with an argument vector (never through a shell, so no quoting bugs and no
 * injection), a timeout, and both outputs captured. A failure message always carries the command's stderr,
 * because that is where tools like {@code ip}, {@code nft} and {@code qemu-img} say what went wrong.
 */
public final class Command {

    /**
     * Output readers block, so they get threads of their own: the common ForkJoinPool has one thread on a
     * 2-core runner, and a reader queued behind the other would let a full stderr pipe stall the process.
     */
    private static final ExecutorService READERS = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "virtunit-command-output");
        thread.setDaemon(true);
        return thread;
    });

    private Command() {
    }

    /** Runs {@code argv} and returns its result whatever the exit code; throws only if it cannot run or times out. */
    public static CommandResult run(Duration timeout, List<String> argv) {
        long started = System.nanoTime();
        Process process;
        try {
            process = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(nullDevice())).start();
        } catch (IOException e) {
            throw new CommandFailedException("cannot start " + render(argv) + ": " + e.getMessage()
                    + " (is the program installed? scripts/setup-host installs what virtunit needs)", null, e);
        }
        // Both streams are drained concurrently so a chatty stderr cannot block the process on a full pipe.
        CompletableFuture<String> stdout = drain(process.getInputStream());
        CompletableFuture<String> stderr = drain(process.getErrorStream());
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
                throw new CommandFailedException(render(argv) + " did not finish within " + timeout
                        + "; stderr so far: " + stderr.getNow("").strip(), null, null);
            }
            return new CommandResult(argv, process.exitValue(), stdout.get(), stderr.get(),
                    Duration.ofNanos(System.nanoTime() - started));
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new CommandFailedException("interrupted while running " + render(argv), null, e);
        } catch (ExecutionException e) {
            throw new CommandFailedException("cannot read the output of " + render(argv), null, e.getCause());
        }
    }

    public static CommandResult run(Duration timeout, String... argv) {
        return run(timeout, List.of(argv));
    }

    /** Like {@link #run}, but a non-zero exit becomes a {@link CommandFailedException} naming the exit code and stderr. */
    public static CommandResult check(Duration timeout, List<String> argv) {
        CommandResult result = run(timeout, argv);
        if (!result.succeeded()) {
            throw new CommandFailedException(render(argv) + " failed with exit code " + result.exitCode() + ": "
                    + firstNonBlank(result.stderr(), result.stdout()).strip(), result, null);
        }
        return result;
    }

    public static CommandResult check(Duration timeout, String... argv) {
        return check(timeout, List.of(argv));
    }

    /** The command as a human would type it, for messages only. */
    public static String render(List<String> argv) {
        StringBuilder text = new StringBuilder();
        for (String arg : argv) {
            if (text.length() > 0) {
                text.append(' ');
            }
            boolean plain = !arg.isEmpty() && arg.chars().allMatch(c -> Character.isLetterOrDigit(c) || "-_./=:,@%+".indexOf(c) >= 0);
            text.append(plain ? arg : "'" + arg.replace("'", "'\\''") + "'");
        }
        return text.toString();
    }

    private static String firstNonBlank(String preferred, String fallback) {
        return preferred.isBlank() ? fallback : preferred;
    }

    private static CompletableFuture<String> drain(InputStream stream) {
        return CompletableFuture.supplyAsync(() -> {
            try (stream) {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, READERS);
    }

    private static java.io.File nullDevice() {
        return new java.io.File("/dev/null");
    }
}
