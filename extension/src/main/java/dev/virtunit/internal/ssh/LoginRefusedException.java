package dev.virtunit.internal.ssh;

import dev.virtunit.VirtunitException;

/**
 * An image without a seed refused the login it was declared to accept. Nothing virtunit does to the guest can
 * change that, so readiness stops at once rather than waiting out the boot timeout.
 */
public final class LoginRefusedException extends VirtunitException {
    private static final long serialVersionUID = 1L;

    public LoginRefusedException(String message, Throwable cause) {
        super(message, cause);
    }
}
