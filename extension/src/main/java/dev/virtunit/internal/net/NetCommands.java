package dev.virtunit.internal.net;

import dev.virtunit.VirtunitException;
import dev.virtunit.internal.host.CommandFailedException;
import dev.virtunit.internal.host.CommandResult;
import dev.virtunit.internal.host.HostCommands;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * {@link HostCommands} with the timeout and the messages of this package's adapters: a failure starts with
 * "cannot" and what was attempted ("cannot create bridge vu1a2b3cb0: ip link add ... failed with exit code 2: ..."),
 * because the tool's own complaint rarely names the object.
 */
final class NetCommands {

    /** Per command. Generous: {@code ip} answers in milliseconds, but a loaded CI runner can stall on the rtnl lock. */
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final HostCommands host;
    private final Duration timeout;

    NetCommands(HostCommands host) {
        this.host = Objects.requireNonNull(host, "host");
        this.timeout = TIMEOUT;
    }

    HostCommands host() {
        return host;
    }

    Duration timeout() {
        return timeout;
    }

    /** Runs {@code argv}; any exit code is returned. */
    CommandResult run(List<String> argv) {
        return host.run(timeout, argv);
    }

    /** Runs {@code argv}; a non-zero exit becomes "cannot {@code what}: ..." with the tool's stderr. */
    CommandResult check(String what, List<String> argv) {
        try {
            return host.check(timeout, argv);
        } catch (CommandFailedException e) {
            throw new VirtunitException("cannot " + what + ": " + e.getMessage(), e);
        }
    }

    /** {@link #check} of {@code ip args...}. */
    CommandResult ip(String what, String... args) {
        List<String> argv = new ArrayList<>(args.length + 1);
        argv.add("ip");
        argv.addAll(List.of(args));
        return check(what, argv);
    }

    /** The error for a command that ran and failed, for callers that looked at the result first. */
    static VirtunitException failed(String what, CommandResult result) {
        return new VirtunitException("cannot " + what + ": " + CommandFailedException.exited(result).getMessage());
    }
}
