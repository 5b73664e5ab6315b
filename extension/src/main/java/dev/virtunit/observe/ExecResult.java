package dev.virtunit.observe;

import java.time.Duration;

/**
 * What a command run in a guest over SSH did.
 *
 * @param command  the command line as sent
 * @param exitCode its exit status; -1 when it was killed by a signal (stderr then names the signal)
 * @param stdout   everything it wrote to standard output
 * @param stderr   everything it wrote to standard error
 * @param duration from sending the command to its exit
 * @since 0.1
 */
public record ExecResult(String command, int exitCode, String stdout, String stderr, Duration duration) {

    /** {@return whether the command exited with status 0} */
    public boolean succeeded() {
        return exitCode == 0;
    }
}
