package dev.virtunit.internal.libvirt;

import dev.virtunit.internal.libvirt.NativeConnect.RawCallFailure;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.LibvirtException;
import org.libvirt.event.ConnectionCloseReason;
import org.awaitility.core.ConditionTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

import static org.awaitility.Awaitility.await;

import static dev.virtunit.internal.libvirt.LibvirtErrors.messageOf;
import static dev.virtunit.internal.libvirt.LibvirtErrors.translate;

/**
 * The one connection to libvirt and the calling convention every operation on it follows. What the bindings leave
 * to their caller is done here: every call holds one lock (a {@code Connect} is not thread safe); every handle is
 * freed in {@code finally} by {@link #use} (the bindings would otherwise free it from a finalizer, possibly after
 * the connection closed); integer results go through {@link #check} (a {@code -1} throws only when libvirt left an
 * error behind); and every {@link LibvirtException} becomes a {@link LibvirtOperationException} that names the
 * operation and the object and carries libvirt's error code.
 *
 * <p>A connection libvirt lost (libvirtd restarted or stopped, keepalive timed out) is opened again: a guest keeps
 * running across a libvirtd restart, and teardown must still reach it. Before a call on a connection known to be
 * lost, a new one is opened and the call made on it. A call during which the connection broke is made again on the
 * new one when it is {@linkplain #repeatable repeatable} (lookups, listings, idempotent removals); any other such
 * call fails saying that the connection broke and that its outcome is unknown.
 */
final class LibvirtCalls implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LibvirtCalls.class);

    private static final String CONNECT_REMEDY =
            "is libvirtd running? scripts/setup-host starts it; are you root or in group libvirt?";

    /** Keepalive: a probe every 5 s, the connection is declared dead after 3 unanswered ones. */
    private static final int KEEPALIVE_INTERVAL_SECONDS = 5;
    private static final int KEEPALIVE_COUNT = 3;

    /** How long a lost connection is tried again: libvirtd restarts in a second or two, a loaded host takes longer. */
    private static final Duration RECONNECT_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration RECONNECT_INTERVAL = Duration.ofMillis(500);

    private final String uri;
    private final Opener opener;
    private final Duration reconnectTimeout;
    private final ReentrantLock lock = new ReentrantLock();
    /**
     * Written under {@link #lock}; null once closed, or lost with no new one yet. Volatile for the close listener,
     * which runs on libvirt's thread.
     */
    private volatile NativeConnect connection;
    /** Guarded by {@link #lock}: {@link #close()} was called. */
    private boolean closed;
    /** Guarded by {@link #lock}: the last reconnection timed out, so the next tries once instead of waiting again. */
    private boolean gaveUp;
    /** Why libvirt dropped the connection (keepalive timeout, daemon gone), reported in later failures. */
    private volatile ConnectionCloseReason lostBecause;

    private LibvirtCalls(String uri, Opener opener, Duration reconnectTimeout, NativeConnect connection) {
        this.uri = uri;
        this.opener = opener;
        this.reconnectTimeout = reconnectTimeout;
        this.connection = connection;
    }

    /** Opens a read-write connection to {@code uri}; a failure says what to check. */
    static LibvirtCalls open(String uri) {
        return open(uri, NativeConnect::new, RECONNECT_TIMEOUT);
    }

    /**
     * As {@link #open(String)}, with connections (the first and any after a loss) made by {@code opener}, and a lost
     * connection tried again for up to {@code reconnectTimeout}.
     */
    static LibvirtCalls open(String uri, Opener opener, Duration reconnectTimeout) {
        Objects.requireNonNull(uri, "uri");
        NativeConnect connection;
        try {
            LibvirtEventLoop.ensureRunning();
            connection = opener.open(uri);
        } catch (LibvirtException e) {
            throw translate("cannot connect to libvirt at " + uri + ": " + messageOf(e) + " (" + CONNECT_REMEDY
                    + ")", e.getError(), e);
        } catch (LinkageError e) {
            throw LibvirtErrors.unknown("cannot load libvirt's C library (libvirt.so.0) to connect to " + uri
                    + ": " + e + " (is libvirt installed? scripts/setup-host installs it)", e);
        }
        LibvirtCalls calls = new LibvirtCalls(uri, opener, reconnectTimeout, connection);
        calls.watch(connection);
        return calls;
    }

    /** Keepalive and a close listener, so a daemon that died shows up as such instead of as a hang. */
    private void watch(NativeConnect connection) {
        try {
            if (!connection.setKeepAlive(KEEPALIVE_INTERVAL_SECONDS, KEEPALIVE_COUNT)) {
                LOG.debug("the libvirt daemon behind {} does not support keepalive", uri);
            }
        } catch (LibvirtException e) {
            // Local drivers (test:///, or qemu:/// opened without the daemon) have no keepalive to set.
            LOG.debug("no keepalive on {}: {}", uri, messageOf(e));
        }
        try {
            connection.registerCloseListener((closed, reason) -> {
                // Only the connection in use counts: a late notice about one already replaced is no news.
                if (reason != ConnectionCloseReason.CLIENT && this.connection == connection) {
                    connectionLost(reason);
                }
            });
        } catch (LibvirtException e) {
            LOG.debug("cannot watch the connection to {} for closing: {}", uri, messageOf(e));
        }
    }

    String uri() {
        return uri;
    }

    /** What libvirt's close listener reports; the next call opens a new connection first. */
    void connectionLost(ConnectionCloseReason reason) {
        lostBecause = reason;
        LOG.warn("libvirt closed the connection to {} ({}); the next call opens a new one", uri, describe(reason));
    }

    /**
     * Runs {@code call} under the lock; a failure becomes "cannot {what}: libvirt's message".
     *
     * @param what the operation and its object, e.g. {@code start domain 'vu-1a2b-web'}
     */
    <T> T call(String what, ConnectionCall<T> call) {
        return call(what, call, false);
    }

    /**
     * Like {@link #call}, for a call that may be made twice with the same outcome (a lookup, a listing, an
     * idempotent removal): when the connection breaks during it, it is made again on a new connection.
     */
    <T> T repeatable(String what, ConnectionCall<T> call) {
        return call(what, call, true);
    }

    private <T> T call(String what, ConnectionCall<T> call, boolean repeatable) {
        lock.lock();
        try {
            if (closed) {
                throw new LibvirtOperationException("cannot " + what + ": the connection to " + uri
                        + " is closed", ErrorNumber.VIR_ERR_INVALID_CONN.ordinal(), "VIR_ERR_INVALID_CONN", null);
            }
            if (isLost()) {
                // Nothing was tried on the dead connection yet, so any call can go to the new one.
                reconnect(what);
            }
            try {
                return attempt(what, call);
            } catch (LibvirtOperationException failure) {
                if (!isLost()) {
                    throw failure;
                }
                String why = whyLost();
                reconnect(what);
                if (!repeatable) {
                    throw new LibvirtOperationException("cannot " + what + ": the connection to " + uri
                            + " broke during the call (" + why + "); virtunit opened a new one, so later calls and "
                            + "teardown go on, but whether this call took effect is unknown: " + failure.getMessage(),
                            failure.errorCode(), failure.errorName(), failure);
                }
                LOG.warn("the connection to {} broke during '{}' ({}); made it again on a new connection", uri, what,
                        why);
                return attempt(what, call);
            }
        } finally {
            lock.unlock();
        }
    }

    private <T> T attempt(String what, ConnectionCall<T> call) {
        try {
            return call.apply(connection);
        } catch (LibvirtException e) {
            throw translate("cannot " + what + ": " + messageOf(e), e.getError(), e);
        } catch (RawCallFailure e) {
            throw translate("cannot " + what + ": " + e.getMessage(), e.error(), e);
        } catch (UnreportedFailure e) {
            throw LibvirtErrors.unknown("cannot " + what + ": libvirt returned -1 without saying why", e);
        }
    }

    /** Whether the connection is gone: libvirt said so, or it is no longer alive (a local check, no round trip). */
    private boolean isLost() {
        if (connection == null || lostBecause != null) {
            return true;
        }
        try {
            return !connection.isAlive();
        } catch (LibvirtException e) {
            // A driver that cannot tell is taken at its word that it works; its calls report their own failures.
            return false;
        }
    }

    private String whyLost() {
        ConnectionCloseReason reason = lostBecause;
        return reason == null ? "the connection is no longer alive; libvirtd restarted or stopped?" : describe(reason);
    }

    private static String describe(ConnectionCloseReason reason) {
        return switch (reason) {
            case EOF -> "libvirtd closed it: it restarted or stopped";
            case KEEPALIVE -> "libvirtd stopped answering keepalive probes";
            case ERROR -> "a socket error";
            default -> reason.toString();
        };
    }

    /**
     * Replaces the lost connection with a new one, trying for up to {@link #RECONNECT_TIMEOUT} while libvirtd comes
     * back; a failure names the call that needed it, why the old one went and what to check.
     */
    private void reconnect(String what) {
        String why = whyLost();
        if (connection != null) {
            release(connection);
            connection = null;
        }
        AtomicReference<NativeConnect> opened = new AtomicReference<>();
        AtomicReference<LibvirtException> lastFailure = new AtomicReference<>();
        try {
            // After one full wait in vain, each later call tries once: teardown's many steps must not wait each.
            await("libvirt at " + uri + " accepting a connection again")
                    .atMost(gaveUp ? RECONNECT_INTERVAL : reconnectTimeout)
                    .pollDelay(Duration.ZERO)
                    .pollInterval(RECONNECT_INTERVAL)
                    .until(() -> {
                        try {
                            opened.set(opener.open(uri));
                            return true;
                        } catch (LibvirtException e) {
                            lastFailure.set(e);
                            return false;
                        }
                    });
        } catch (ConditionTimeoutException e) {
            gaveUp = true;
            LibvirtException last = lastFailure.get();
            throw translate("cannot " + what + ": the connection to " + uri + " was lost (" + why + ") and libvirt "
                    + "accepted no new one within " + reconnectTimeout.toSeconds() + " s"
                    + (last == null ? "" : ": " + messageOf(last)) + " (" + CONNECT_REMEDY + ")",
                    last == null ? null : last.getError(), e);
        }
        gaveUp = false;
        connection = opened.get();
        lostBecause = null;
        watch(connection);
        LOG.warn("the connection to {} was lost ({}); opened a new one", uri, why);
    }

    /** Closes the connection; idempotent. Failures are logged, not thrown: the connection is unusable either way. */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            NativeConnect closing = connection;
            if (closing == null) {
                return;
            }
            connection = null;
            release(closing);
        } finally {
            lock.unlock();
        }
    }

    /** Lets go of {@code closing}, alive or lost; failures are logged, it is unusable either way. */
    private void release(NativeConnect closing) {
        try {
            closing.unregisterCloseListener();
        } catch (LibvirtException e) {
            LOG.debug("cannot unregister the close listener of {}: {}", uri, messageOf(e));
        }
        try {
            int stillReferenced = closing.close();
            if (stillReferenced > 0) {
                LOG.debug("connection to {} closed with {} references left", uri, stillReferenced);
            }
        } catch (LibvirtException e) {
            LOG.debug("cannot close the connection to {}: {}", uri, messageOf(e));
        }
    }

    /** A {@code -1} from libvirt without an error; {@link #call} reports it with the operation. */
    static final class UnreportedFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UnreportedFailure() {
            super("libvirt returned -1 without an error", null, false, false);
        }
    }

    // ---- the shapes of calls ----

    /** Opens a connection to a URI: {@link NativeConnect#NativeConnect(String)}, or a test's stand-in. */
    @FunctionalInterface
    interface Opener {
        NativeConnect open(String uri) throws LibvirtException;
    }

    @FunctionalInterface
    interface ConnectionCall<T> {
        T apply(NativeConnect connection) throws LibvirtException;
    }
}
