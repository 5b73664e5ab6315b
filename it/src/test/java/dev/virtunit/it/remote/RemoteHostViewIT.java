package dev.virtunit.it.remote;

import dev.virtunit.HostPing;
import dev.virtunit.Upstream;
import dev.virtunit.internal.host.CommandResult;
import dev.virtunit.internal.host.HostCommands;
import dev.virtunit.internal.lab.LabSession;
import dev.virtunit.junit.EnabledIfKvm;
import dev.virtunit.observe.PingResult;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * What the test sees of a remote lab's host, the second host. {@code @EnabledIfKvm} with the second host's libvirt URI
 * judges that host, through real JUnit: the run's lab logs in there and asks its {@code /dev/kvm}, CPU flags, libvirt
 * and remembered proof; the second host shares this machine's CPU, whose paravirtual KVM boots no guest, so the class
 * is skipped and the reason names the second host. {@code HostPing.ping(address, count)} while a lab runs there pings
 * from that host: its upstream's address, in a namespace there behind a veth, answers, though this machine has no
 * route to it. So that nothing can leave toward this machine's uplink if the ping ran here after all, the address is
 * made unreachable here for the test (a route of type {@code unreachable}: a ping from here fails at once, sending
 * nothing). Runs only with {@code -Dvirtunit.secondHost=/var/lib/virtunit-hosts/<NAME>}.
 */
class RemoteHostViewIT {

    private static final Logger LOG = LoggerFactory.getLogger(RemoteHostViewIT.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private static SecondHost secondHost;

    @TempDir
    Path stateDir;

    @BeforeAll
    static void named() throws IOException {
        secondHost = SecondHost.named();
    }

    @Test
    void hostPingOfAnAddressRunsOnTheSecondHostWhereItsUpstreamAnswers() {
        HostCommands here = HostCommands.local();
        try (LabSession lab = LabSession.start(secondHost.labConfig().withStateDir(stateDir))) {
            Upstream upstream = lab.upstream();
            String address = upstream.address();
            // Asked, not tried: this machine would send it to its default route, not to the second host.
            assertThat(here.check(TIMEOUT, List.of("ip", "-o", "route", "get", address)).stdout())
                    .doesNotContain("dev vhbr0").doesNotContain("via " + secondHost.get("address") + " ");
            here.check(TIMEOUT, List.of("ip", "route", "add", "unreachable", address + "/32"));
            try {
                CommandResult routeHere = here.run(TIMEOUT, List.of("ip", "-o", "route", "get", address));
                assertThat(routeHere.succeeded()).as("a route to %s here", address).isFalse();

                PingResult result = HostPing.ping(address, 3);

                LOG.info("HostPing.ping({}, 3) with a lab on {}: {}", address, secondHost.get("uri"), result);
                assertThat(result.received()).isPositive();
            } finally {
                here.check(TIMEOUT, List.of("ip", "route", "del", "unreachable", address + "/32"));
            }
        }
    }

    @Test
    void enabledIfKvmJudgesTheSecondHostAndNamesIt() {
        String host = secondHost.get("user") + "@" + secondHost.get("address") + ":" + secondHost.get("port");

        EngineExecutionResults results = EngineTestKit.engine("junit-jupiter")
                .configurationParameters(secondHost.labProperties())
                .configurationParameter("virtunit.state.dir", stateDir.toString())
                .selectors(selectClass(NeedsKvm.class))
                .execute();

        List<String> reasons = results.containerEvents().skipped().stream()
                .map(event -> event.getPayload(String.class).orElse("")).toList();
        LOG.info("@EnabledIfKvm on {}: {}", secondHost.get("uri"), reasons);
        assertThat(reasons).singleElement().asString().startsWith("KVM is not usable on " + host + ": ");
        assertThat(results.testEvents().started().count()).as("tests started").isZero();
        assertThat(results.containerEvents().failed().stream().map(Event::toString).toList()).isEmpty();
    }

    @EnabledIfKvm
    static class NeedsKvm {
        @Test
        void runsOnlyWithKvm() {
        }
    }
}
