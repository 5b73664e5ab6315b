package dev.virtunit.internal.ssh;

import dev.virtunit.VirtunitException;

/**
 * A jump host whose SSH server does not allow TCP forwarding: no stream to a guest will ever open through it, so
 * waiting for the guest's port or login cannot help and readiness ends at once.
 *
 * @since 0.4
 */
public final class ForwardingForbiddenException extends VirtunitException {
    private static final long serialVersionUID = 1L;

    public ForwardingForbiddenException(String message, Throwable cause) {
        super(message, cause);
    }
}
