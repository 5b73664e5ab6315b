package dev.virtunit.internal.libvirt;

import org.libvirt.Connect;
import org.libvirt.ErrorCallback;
import org.libvirt.Library;
import org.libvirt.LibvirtException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * libvirt's default event loop, run on a daemon thread: keepalive and the close callbacks of remote connections
 * only work while it runs. Started once per JVM, before the first connection is opened; at the same moment libvirt's
 * default error handler is replaced by a quiet one (it prints every error to stderr, including the expected "not
 * found" of an idempotent removal; failures reach callers as exceptions instead).
 */
final class LibvirtEventLoop {

    private static final Logger LOG = LoggerFactory.getLogger(LibvirtEventLoop.class);

    /** Held here because JNA frees a callback's native stub once the Java object is collected. */
    private static final ErrorCallback QUIET_ERRORS = new ErrorCallback();
    private static boolean running;

    private LibvirtEventLoop() {
    }

    /** Starts the loop unless it runs already. */
    static synchronized void ensureRunning() throws LibvirtException {
        if (running) {
            return;
        }
        Connect.setErrorCallback(QUIET_ERRORS);
        Library.initEventLoop();
        Thread thread = new Thread(LibvirtEventLoop::run, "virtunit-libvirt-events");
        thread.setDaemon(true);
        thread.start();
        running = true;
    }

    private static void run() {
        while (true) {
            try {
                Library.runEventLoop();
                return; // only after Library.stopEventLoop(), which nothing calls
            } catch (InterruptedException e) {
                return;
            } catch (LibvirtException | RuntimeException e) {
                LOG.warn("libvirt's event loop failed, restarting it in a second: {}", e.toString());
                // A pause, not a wait for a condition: a loop that keeps failing must not flood the log.
                LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1));
            }
        }
    }
}
