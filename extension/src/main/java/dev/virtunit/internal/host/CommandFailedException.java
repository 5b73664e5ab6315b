package dev.virtunit.internal.host;

import dev.virtunit.VirtunitException;
import dev.virtunit.internal.text.ShellQuoting;

/** An external command exited non-zero, timed out or could not be started; the message carries its stderr. */
public final class CommandFailedException extends VirtunitException {
    private static final long serialVersionUID = 1L;

    private final transient CommandResult result;

    public CommandFailedException(String message, CommandResult result, Throwable cause) {
        super(message, cause);
        this.result = result;
    }

    /** A command that ran and exited non-zero: the message names it, its exit code and its stderr (else stdout). */
    public static CommandFailedException exited(CommandResult result) {
        String output = result.stderr().isBlank() ? result.stdout() : result.stderr();
        return new CommandFailedException(ShellQuoting.join(result.argv())
                + " failed with exit code " + result.exitCode() + ": " + output.strip(), result, null);
    }

    /** The result, or null when the command never ran to an exit code (not found, timed out). */
    public CommandResult result() {
        return result;
    }
}
