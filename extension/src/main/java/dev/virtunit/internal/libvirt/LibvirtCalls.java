package dev.virtunit.internal.libvirt;

import dev.virtunit.internal.libvirt.NativeConnect.RawCallFailure;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.LibvirtException;
import org.libvirt.event.ConnectionCloseReason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

import static dev.virtunit.internal.libvirt.LibvirtErrors.messageOf;
import static dev.virtunit.internal.libvirt.LibvirtErrors.translate;

/**
 * The one connection to libvirt and the calling convention every operation on it follows. What the bindings leave
 * to their caller is done here: every call holds one lock (a {@code Connect} is not thread safe); every handle is
 * freed in {@code finally} by {@link #use} (the bindings would otherwise free it from a finalizer, possibly after
 * the connection closed); integer results go through {@link #check} (a {@code -1} throws only when libvirt left an
 * error behind); and every {@link LibvirtException} becomes a {@link LibvirtOperationException} that names the
 * operation and the object and carries libvirt's error code.
 */
final class LibvirtCalls implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LibvirtCalls.class);

    private static final String CONNECT_REMEDY =
            "is libvirtd running? scripts/setup-host starts it; are you root or in group libvirt?";

    /** Keepalive: a probe every 5 s, the connection is declared dead after 3 unanswered ones. */
    private static final int KEEPALIVE_INTERVAL_SECONDS = 5;
    private static final int KEEPALIVE_COUNT = 3;

    private final String uri;
    private final ReentrantLock lock = new ReentrantLock();
    /** Guarded by {@link #lock}; null once closed. */
    private NativeConnect connection;
    /** Why libvirt dropped the connection (keepalive timeout, daemon gone), reported in later failures. */
    private volatile ConnectionCloseReason lostBecause;

    private LibvirtCalls(String uri, NativeConnect connection) {
        this.uri = uri;
        this.connection = connection;
    }

    /** Opens a read-write connection to {@code uri}; a failure says what to check. */
    static LibvirtCalls open(String uri) {
        Objects.requireNonNull(uri, "uri");
        NativeConnect connection;
        try {
            LibvirtEventLoop.ensureRunning();
            connection = new NativeConnect(uri);
        } catch (LibvirtException e) {
            throw translate("cannot connect to libvirt at " + uri + ": " + messageOf(e) + " (" + CONNECT_REMEDY
                    + ")", e.getError(), e);
        } catch (LinkageError e) {
            throw LibvirtErrors.unknown("cannot load libvirt's C library (libvirt.so.0) to connect to " + uri
                    + ": " + e + " (is libvirt installed? scripts/setup-host installs it)", e);
        }
        LibvirtCalls calls = new LibvirtCalls(uri, connection);
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
                if (reason != ConnectionCloseReason.CLIENT) {
                    lostBecause = reason;
                    LOG.warn("libvirt closed the connection to {} ({}); later calls will fail ({})", uri, reason,
                            CONNECT_REMEDY);
                }
            });
        } catch (LibvirtException e) {
            LOG.debug("cannot watch the connection to {} for closing: {}", uri, messageOf(e));
        }
    }

    String uri() {
        return uri;
    }

    /**
     * Runs {@code call} under the lock; a failure becomes "cannot {what}: libvirt's message".
     *
     * @param what the operation and its object, e.g. {@code start domain 'vu-1a2b-web'}
     */
    <T> T call(String what, ConnectionCall<T> call) {
        lock.lock();
        try {
            if (connection == null) {
                throw new LibvirtOperationException("cannot " + what + ": the connection to " + uri
                        + " is closed", ErrorNumber.VIR_ERR_INVALID_CONN.ordinal(), "VIR_ERR_INVALID_CONN", null);
            }
            return call.apply(connection);
        } catch (LibvirtException e) {
            throw translate("cannot " + what + ": " + messageOf(e) + lostConnectionHint(), e.getError(), e);
        } catch (RawCallFailure e) {
            throw translate("cannot " + what + ": " + e.getMessage() + lostConnectionHint(), e.error(), e);
        } catch (UnreportedFailure e) {
            throw LibvirtErrors.unknown("cannot " + what + ": libvirt returned -1 without saying why"
                    + lostConnectionHint(), e);
        } finally {
            lock.unlock();
        }
    }

    private String lostConnectionHint() {
        ConnectionCloseReason reason = lostBecause;
        return reason == null ? "" : " (libvirt closed the connection to " + uri + ": " + reason + "; "
                + CONNECT_REMEDY + ")";
    }

    /** Closes the connection; idempotent. Failures are logged, not thrown: the connection is unusable either way. */
    @Override
    public void close() {
        lock.lock();
        try {
            NativeConnect closing = connection;
            if (closing == null) {
                return;
            }
            connection = null;
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
                LOG.warn("cannot close the connection to {}: {}", uri, messageOf(e));
            }
        } finally {
            lock.unlock();
        }
    }

    // ---- handles ----

    /** Runs {@code call} on {@code handle}, then frees the handle whatever happened. */
    static <H, T> T use(H handle, Freer<H> freer, HandleCall<H, T> call) throws LibvirtException {
        try {
            return call.apply(handle);
        } finally {
            try {
                int result = freer.free(handle);
                if (result < 0) {
                    LOG.debug("freeing a libvirt handle returned {}", result);
                }
            } catch (LibvirtException e) {
                // Never hide the outcome of the call behind a failure to free.
                LOG.debug("cannot free a libvirt handle: {}", messageOf(e));
            }
        }
    }

    /** Like {@link #use}, but {@code whenMissing} when the lookup found nothing ({@code handle} is null). */
    static <H, T> T useIfPresent(H handle, Freer<H> freer, T whenMissing, HandleCall<H, T> call)
            throws LibvirtException {
        return handle == null ? whenMissing : use(handle, freer, call);
    }

    /** The looked-up handle, or null when libvirt says there is no such object. */
    static <H> H find(Lookup<H> lookup, ErrorNumber missing) throws LibvirtException {
        try {
            return lookup.find();
        } catch (LibvirtException e) {
            if (LibvirtErrors.is(e, missing)) {
                return null;
            }
            throw e;
        }
    }

    // ---- results ----

    /**
     * The bindings throw on {@code -1} only when libvirt left an error in its thread-local slot; otherwise the
     * {@code -1} comes back as a value.
     */
    static int check(int result) {
        if (result < 0) {
            throw new UnreportedFailure();
        }
        return result;
    }

    /** A best-effort undo after {@code failure}; its own failure is attached to the one being reported. */
    static void undo(Exception failure, LibvirtAction undo) {
        try {
            undo.run();
        } catch (LibvirtException | RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    /** The names of the active objects, then those of the inactive ones, each once. */
    static List<String> activeThenInactive(String[] active, String[] inactive) {
        Set<String> names = new LinkedHashSet<>(List.of(active));
        names.addAll(List.of(inactive));
        return List.copyOf(names);
    }

    /** A {@code -1} from libvirt without an error; {@link #call} reports it with the operation. */
    private static final class UnreportedFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UnreportedFailure() {
            super("libvirt returned -1 without an error", null, false, false);
        }
    }

    // ---- the shapes of calls ----

    @FunctionalInterface
    interface ConnectionCall<T> {
        T apply(NativeConnect connection) throws LibvirtException;
    }

    @FunctionalInterface
    interface HandleCall<H, T> {
        T apply(H handle) throws LibvirtException;
    }

    @FunctionalInterface
    interface Freer<H> {
        int free(H handle) throws LibvirtException;
    }

    @FunctionalInterface
    interface LibvirtAction {
        void run() throws LibvirtException;
    }

    @FunctionalInterface
    interface Lookup<H> {
        H find() throws LibvirtException;
    }
}
