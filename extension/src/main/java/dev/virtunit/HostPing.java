package dev.virtunit;

import dev.virtunit.observe.PingResult;

import dev.virtunit.internal.host.HostCommands;
import dev.virtunit.internal.ssh.PingCommand;
import dev.virtunit.internal.ssh.PingOutput;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The host's own view of the test networks: pings from the host (the machine running the tests) to a guest or
 * any address of a test network.
 *
 * @since 0.1
 */
public final class HostPing {

    private HostPing() {
    }

    /** Pings {@code guest}'s first address from the host, 3 echo requests. */
    public static PingResult ping(Guest guest) {
        return ping(guest.address(), 3);
    }

    /** Pings {@code target} from the host with {@code count} echo requests (busybox ping, as in the guests). */
    public static PingResult ping(String target, int count) {
        List<String> argv = new ArrayList<>(List.of("busybox"));
        argv.addAll(List.of(PingCommand.of(target, count, 1).split(" ")));
        var result = HostCommands.local().run(Duration.ofSeconds(count * 2L + 10), argv);
        return PingOutput.parse(target, result.stdout() + result.stderr());
    }
}
