package dev.virtunit;

/**
 * The host cannot run guests: libvirt is not reachable, or this user may not use it. The JUnit extension turns
 * this into a skipped test class (or a failure, with {@code virtunit.unavailable=fail}).
 *
 * @since 0.1
 */
public class HostUnavailableException extends VirtunitException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what failed and, where known, what to do
     * @param cause the underlying failure; may be null
     */
    public HostUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
