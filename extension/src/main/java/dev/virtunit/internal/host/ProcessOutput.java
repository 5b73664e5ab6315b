package dev.virtunit.internal.host;

import java.util.function.Supplier;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * Reads the output of processes and SSH channels. Readers block, so each gets a daemon thread of its own from one
 * shared pool: on a 2-core runner the common ForkJoinPool has a single thread, and a stdout reader queued behind a
 * stderr reader would let a full pipe stall the process it reads.
 *
 * @since 0.2
 */
public final class ProcessOutput {

    private static final ExecutorService READERS = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "virtunit-output-reader");
        thread.setDaemon(true);
        return thread;
    });

    private ProcessOutput() {
    }

    /** Reads {@code stream} to its end as UTF-8 on a reader thread, then closes it. */
    public static CompletableFuture<String> readAll(InputStream stream) {
        return CompletableFuture.supplyAsync(() -> {
            try (stream) {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, READERS);
    }

    /**
     * Hands each line of {@code stream} to {@code sink} on a reader thread until the stream ends; the future completes
     * then (exceptionally if reading failed).
     */
    public static CompletableFuture<Void> forEachLine(InputStream stream, Consumer<String> sink) {
        return CompletableFuture.runAsync(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    sink.accept(line);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, READERS);
    }

    /**
     * Writes {@code input} to a program's stdin and closes it, on a thread of the pool: a program that stops reading
     * early (it failed) must not block its caller on a full pipe; its exit code and stderr say what happened.
     *
     * @since 0.4
     */
    public static CompletableFuture<Void> writeAll(OutputStream stdin, byte[] input) {
        return CompletableFuture.runAsync(() -> {
            try (stdin) {
                stdin.write(input);
            } catch (IOException closedEarly) {
                // the program exited without reading it all
            }
        }, READERS);
    }

    /** Runs a blocking {@code task} (a reader of some other stream) on the readers' pool. */
    public static <T> CompletableFuture<T> supply(Supplier<T> task) {
        return CompletableFuture.supplyAsync(task, READERS);
    }
}
