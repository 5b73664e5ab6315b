package dev.virtunit.internal.ssh;

import dev.virtunit.VirtunitException;

/**
 * The server presented a host key that can never become the right one: a pinned key or one trusted on first use
 * differs. Unlike an injected key that cloud-init may not have written yet, waiting does not help, so readiness
 * stops at once.
 */
public final class HostKeyRejectedException extends VirtunitException {
    private static final long serialVersionUID = 1L;

    public HostKeyRejectedException(String message, Throwable cause) {
        super(message, cause);
    }
}
