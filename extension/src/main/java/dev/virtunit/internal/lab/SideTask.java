package dev.virtunit.internal.lab;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * A step that only waits for a program on the host, run on a thread of its own beside the caller's steps, so that
 * independent host commands overlap instead of adding up (the sweep's listings, a bridge's NAT table while its links
 * are made). A daemon thread each: the common pool has a single thread on a 2-core host and would run them one after
 * another.
 */
final class SideTask<T> {

    private final CompletableFuture<T> result = new CompletableFuture<>();

    private SideTask() {
    }

    /** Starts {@code step} on a daemon thread named {@code name}. */
    static <T> SideTask<T> start(String name, Supplier<T> step) {
        SideTask<T> task = new SideTask<>();
        Thread thread = new Thread(() -> {
            try {
                task.result.complete(step.get());
            } catch (RuntimeException | Error e) {
                task.result.completeExceptionally(e);
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
        return task;
    }

    /** Waits for the step; what it threw is thrown here as it was. */
    T join() {
        try {
            return result.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }

    /**
     * Waits for the step to end, whatever its outcome, before an undo runs: an undo that ran while the step was still
     * making something would leave that behind.
     *
     * @return what the step threw, if it failed
     */
    Optional<Throwable> settle() {
        try {
            result.join();
            return Optional.empty();
        } catch (CompletionException e) {
            return Optional.of(e.getCause());
        }
    }
}
