package dev.virtunit.internal.host;

import dev.virtunit.VirtunitException;

/** An external command exited non-zero, timed out or could not be started; the message carries its stderr. */
public final class CommandFailedException extends VirtunitException {
    private static final long serialVersionUID = 1L;

    private final transient CommandResult result;

    CommandFailedException(String message, CommandResult result, Throwable cause) {
        super(message, cause);
        this.result = result;
    }

    /** The result, or null when the command never ran to an exit code (not found, timed out). */
    public CommandResult result() {
        return result;
    }
}
