package dev.virtunit.internal.host;

import java.time.Duration;
import java.util.List;

/**
 * A {@link HostCommands} that lets one command through at a time, for a remote host whose SSH server fails when
 * channels of one connection open and close side by side: dropbear 2022.83 drops the whole connection ("Unknown
 * channel 0", or a failed assertion {@code !channel->sent_close}) within seconds when three threads run short
 * commands over sshj at once, and never when one does (measured on a second host of {@code scripts/second-host}).
 * {@link HostFiles#over} holds the same lock for the whole of a file operation, the output of its program included.
 * A long-running program started here runs on, in parallel; only its start is serialised.
 *
 * @since 0.4
 */
public final class OneAtATimeHostCommands implements HostCommands {

    private final HostCommands commands;

    public OneAtATimeHostCommands(HostCommands commands) {
        this.commands = commands;
    }

    @Override
    public synchronized CommandResult run(Duration timeout, List<String> argv) {
        return commands.run(timeout, argv);
    }

    @Override
    public synchronized CommandResult check(Duration timeout, List<String> argv) {
        return commands.check(timeout, argv);
    }

    @Override
    public synchronized CommandResult run(Duration timeout, List<String> argv, byte[] input) {
        return commands.run(timeout, argv, input);
    }

    @Override
    public synchronized CommandResult check(Duration timeout, List<String> argv, byte[] input) {
        return commands.check(timeout, argv, input);
    }

    @Override
    public synchronized HostProcess start(List<String> argv) {
        return commands.start(argv);
    }

    @Override
    public String toString() {
        return commands.toString();
    }
}
