package dev.virtunit.internal.libvirt;

import org.libvirt.Connect;
import org.libvirt.Error;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.LibvirtException;
import org.libvirt.jna.DomainPointer;
import org.libvirt.jna.Libvirt;
import org.libvirt.jna.virDomainInfo;
import org.libvirt.jna.virError;

/**
 * A {@link Connect} that reads {@code virDomainGetInfo} itself. The bindings' {@code DomainInfo} indexes an enum
 * that ends at {@code CRASHED}, so {@code Domain.getInfo()} throws {@link ArrayIndexOutOfBoundsException} for a
 * guest its own power management suspended ({@code VIR_DOMAIN_PMSUSPENDED} = 7). The subclass has the connection
 * pointer the raw call needs.
 */
final class NativeConnect extends Connect {

    NativeConnect(String uri) throws LibvirtException {
        super(uri, false);
    }

    /** The raw info of the named domain; a missing domain fails with {@code VIR_ERR_NO_DOMAIN}. */
    virDomainInfo rawDomainInfo(String name) {
        Libvirt libvirt = Libvirt.INSTANCE;
        DomainPointer domain = libvirt.virDomainLookupByName(vcp, name);
        if (domain == null) {
            throw new RawCallFailure(lastError());
        }
        try {
            virDomainInfo info = new virDomainInfo();
            if (libvirt.virDomainGetInfo(domain, info) < 0) {
                throw new RawCallFailure(lastError());
            }
            return info;
        } finally {
            libvirt.virDomainFree(domain);
        }
    }

    private static Error lastError() {
        virError error = Libvirt.INSTANCE.virGetLastError();
        return error == null ? null : new Error(error);
    }

    /**
     * A failure of a call made without the bindings' wrappers. It carries libvirt's {@link Error} and is translated
     * like a {@link LibvirtException}, whose constructor is package-private.
     */
    static final class RawCallFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient Error error;

        RawCallFailure(Error error) {
            super(error == null || error.getMessage() == null ? "libvirt returned -1 without saying why"
                    : error.getMessage().strip(), null, false, false);
            this.error = error;
        }

        Error error() {
            return error;
        }

        boolean is(ErrorNumber code) {
            return LibvirtErrors.is(error, code);
        }
    }
}
