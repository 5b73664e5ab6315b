package dev.virtunit;

/**
 * A guest did not become ready: it stopped or crashed, or a readiness phase ran out of time. The message says
 * which phases were reached, how long each took, the guest's state, and the last lines of its serial console.
 *
 * @since 0.1
 */
public class GuestNotReadyException extends VirtunitException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what failed and, where known, what to do
     * @param cause the underlying failure; may be null
     */
    public GuestNotReadyException(String message, Throwable cause) {
        super(message, cause);
    }
}
