package dev.virtunit.internal.libvirt;

import dev.virtunit.VirtunitException;

/** libvirt refused an operation. Carries libvirt's error code (e.g. {@code VIR_ERR_NO_DOMAIN} = 42) and its name. */
public final class LibvirtOperationException extends VirtunitException {
    private static final long serialVersionUID = 1L;

    private final int errorCode;
    private final String errorName;

    public LibvirtOperationException(String message, int errorCode, String errorName, Throwable cause) {
        super(message, cause);
        this.errorCode = errorCode;
        this.errorName = errorName;
    }

    /** libvirt's numeric {@code virErrorNumber}; -1 when the failure did not come with one. */
    public int errorCode() {
        return errorCode;
    }

    /** The symbolic name of {@link #errorCode()}, e.g. {@code VIR_ERR_NO_DOMAIN}. */
    public String errorName() {
        return errorName;
    }
}
