package dev.virtunit.internal.libvirt;

import org.libvirt.Error;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.LibvirtException;

/** Reading libvirt's errors and turning them into {@link LibvirtOperationException}s with libvirt's code. */
final class LibvirtErrors {

    private LibvirtErrors() {
    }

    /** Whether libvirt failed with {@code code}, e.g. {@code VIR_ERR_NO_DOMAIN} for a lookup that found nothing. */
    static boolean is(LibvirtException e, ErrorNumber code) {
        return is(e.getError(), code);
    }

    static boolean is(Error error, ErrorNumber code) {
        return error != null && error.getCode() == code;
    }

    /** libvirt's own message, without the bindings' decoration. */
    static String messageOf(LibvirtException e) {
        Error error = e.getError();
        String message = error == null ? null : error.getMessage();
        return message == null ? String.valueOf(e.getMessage()) : message.strip();
    }

    /**
     * The bindings' {@link ErrorNumber} lists libvirt's codes in order, so its ordinal is the code, up to the last
     * code the bindings know; anything newer turns into their catch-all {@code VIR_ERR_UNKNOWN}, reported as -1
     * rather than as the code that happens to share its ordinal.
     */
    static LibvirtOperationException translate(String message, Error error, Throwable cause) {
        ErrorNumber code = error == null ? null : error.getCode();
        if (code == null || code == ErrorNumber.VIR_ERR_UNKNOWN) {
            return unknown(message, cause);
        }
        return new LibvirtOperationException(message, code.ordinal(), code.name(), cause);
    }

    /** A failure that came without a libvirt error code. */
    static LibvirtOperationException unknown(String message, Throwable cause) {
        return new LibvirtOperationException(message, -1, "VIR_ERR_UNKNOWN", cause);
    }
}
