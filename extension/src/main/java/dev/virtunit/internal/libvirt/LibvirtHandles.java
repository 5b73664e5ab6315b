package dev.virtunit.internal.libvirt;

import org.libvirt.Error.ErrorNumber;
import org.libvirt.LibvirtException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * How every operation treats libvirt's handles and results: a looked-up handle is freed whatever happens, a missing
 * object is null rather than an error, a {@code -1} without an error is still a failure, an undo's own failure is
 * attached to the one reported. {@link LibvirtCalls} runs the calls; this is what they do inside.
 */
final class LibvirtHandles {

    private static final Logger LOG = LoggerFactory.getLogger(LibvirtHandles.class);

    private LibvirtHandles() {
    }

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
                LOG.debug("cannot free a libvirt handle: {}", LibvirtErrors.messageOf(e));
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
            throw new LibvirtCalls.UnreportedFailure();
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

    // ---- the shapes of calls ----

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
