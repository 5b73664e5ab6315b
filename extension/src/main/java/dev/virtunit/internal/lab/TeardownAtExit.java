package dev.virtunit.internal.lab;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JVM shutdown hook that tears a run down when the JVM exits without closing its lab (a test runner killed, a
 * {@code main} that forgot {@code close()}), so no guest outlives the process that made it.
 */
final class TeardownAtExit {

    private static final Logger LOG = LoggerFactory.getLogger(TeardownAtExit.class);

    private final Thread hook;

    /** {@code close} tears the run down; it is called at most once, from the hook's thread. */
    TeardownAtExit(String run, Runnable close) {
        this.hook = new Thread(() -> {
            LOG.warn("JVM exiting with run {} still open: tearing it down", run);
            try {
                close.run();
            } catch (RuntimeException e) {
                LOG.error("teardown at JVM exit failed: {}", e.getMessage());
            }
        }, "virtunit-teardown-" + run);
    }

    void install() {
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** The lab closed on its own: the hook has nothing left to do. */
    void remove() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // Called from the hook itself: nothing to remove.
        }
    }
}
