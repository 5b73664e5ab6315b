package dev.virtunit;

/**
 * The root of every exception virtunit throws: a host component refused, a guest did not come up, a
 * declaration was wrong. Messages name the offending element and, where there is one, the remedy.
 *
 * @since 0.1
 */
public class VirtunitException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * A failure with no underlying cause.
     *
     * @param message what failed and, where known, what to do
     */
    public VirtunitException(String message) {
        super(message);
    }

    /**
     * A failure caused by {@code cause}.
     *
     * @param message what failed and, where known, what to do
     * @param cause the underlying failure
     */
    public VirtunitException(String message, Throwable cause) {
        super(message, cause);
    }
}
