package dev.virtunit.internal.lab;

import dev.virtunit.VirtunitException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Undo steps, registered before the thing they undo is created and run in reverse order. Running keeps going past
 * a failing step and reports every failure together; running twice does nothing the second time.
 */
public final class Teardown {

    private static final Logger LOG = LoggerFactory.getLogger(Teardown.class);

    /** One undo step; it must tolerate the thing it removes being absent (creation may have failed half-way). */
    @FunctionalInterface
    public interface Step {
        void run() throws Exception;
    }

    private record Named(String description, Step step) {
    }

    private final Deque<Named> steps = new ArrayDeque<>();

    /** Registers {@code step}; call it before creating what it removes. */
    public synchronized void register(String description, Step step) {
        steps.push(new Named(description, step));
    }

    public synchronized boolean isEmpty() {
        return steps.isEmpty();
    }

    /** Descriptions of what is still registered, newest first; for the "kept for inspection" log. */
    public synchronized List<String> pending() {
        return steps.stream().map(Named::description).toList();
    }

    /** Forgets every step without running it: what they would remove is kept on purpose. */
    public synchronized void abandon() {
        steps.clear();
    }

    /**
     * Runs every registered step, newest first.
     *
     * @throws VirtunitException after all steps ran, if any failed; each failure is a suppressed exception
     */
    public void run() {
        List<Exception> failures = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        while (true) {
            Named next;
            synchronized (this) {
                next = steps.poll();
            }
            if (next == null) {
                break;
            }
            try {
                next.step().run();
            } catch (Exception e) {
                LOG.warn("teardown step failed: {}: {}", next.description(), e.toString());
                failures.add(e);
                failed.add(next.description() + " (" + e.getMessage() + ")");
            }
        }
        if (!failures.isEmpty()) {
            VirtunitException error = new VirtunitException("teardown failed in " + failures.size() + " step(s); "
                    + "scripts/check-leftovers lists and removes what remains: " + String.join("; ", failed));
            failures.forEach(error::addSuppressed);
            throw error;
        }
    }

    /**
     * Runs each teardown in the order given, each one whatever happened to those before it.
     *
     * @throws RuntimeException the first failure, with any later ones suppressed
     */
    public static void runInOrder(Teardown... teardowns) {
        RuntimeException failure = null;
        for (Teardown teardown : teardowns) {
            try {
                teardown.run();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
