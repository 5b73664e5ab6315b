package dev.virtunit.it.remote;

import dev.virtunit.HostPing;
import dev.virtunit.Upstream;
import dev.virtunit.internal.host.CommandResult;
import dev.virtunit.internal.host.HostCommands;
import dev.virtunit.internal.lab.LabSession;
import dev.virtunit.observe.PingResult;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code HostPing.ping(address, count)} while a lab runs on the second host pings from that host: its upstream's
 * address, in a namespace there behind a veth, answers, though this machine has no route to it. So that nothing can
 * leave toward this machine's uplink if the ping ran here after all, the address is made unreachable here for the
 * test (a route of type {@code unreachable}: a ping from here fails at once, sending nothing). Runs only with
 * {@code -Dvirtunit.secondHost=/var/lib/virtunit-hosts/<NAME>}.
 */
class RemoteHostPingIT {

    private static final Logger LOG = LoggerFactory.getLogger(RemoteHostPingIT.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private static SecondHost secondHost;

    @TempDir
    Path stateDir;

    @BeforeAll
    static void named() throws IOException {
        secondHost = SecondHost.named();
    }

    @Test
    void anUpstreamOnTheSecondHostAnswersAPingOfItsAddressFromThatHost() {
        HostCommands here = HostCommands.local();
        try (LabSession lab = LabSession.start(secondHost.labConfig().withStateDir(stateDir))) {
            Upstream upstream = lab.upstream();
            String address = upstream.address();
            // Asked, not tried: this machine would send it to its default route, not to the second host.
            assertThat(here.check(TIMEOUT, List.of("ip", "-o", "route", "get", address)).stdout())
                    .doesNotContain("dev vhbr0").doesNotContain("via " + secondHost.get("address") + " ");
            List<String> guard = List.of("unreachable", address + "/32");
            here.check(TIMEOUT, concat(List.of("ip", "route", "add"), guard));
            try {
                CommandResult routeHere = here.run(TIMEOUT, List.of("ip", "-o", "route", "get", address));
                assertThat(routeHere.succeeded()).as("a route to %s here", address).isFalse();

                PingResult result = HostPing.ping(address, 3);

                LOG.info("HostPing.ping({}, 3) with a lab on {}: {}", address, secondHost.get("uri"), result);
                assertThat(result.received()).isPositive();
            } finally {
                here.check(TIMEOUT, concat(List.of("ip", "route", "del"), guard));
            }
        }
    }

    private static List<String> concat(List<String> first, List<String> second) {
        return java.util.stream.Stream.concat(first.stream(), second.stream()).toList();
    }
}
