package dev.virtunit.it.report;

import dev.virtunit.Bridge;
import dev.virtunit.Guest;
import dev.virtunit.Upstream;
import dev.virtunit.junit.LibvirtGuest;
import dev.virtunit.junit.LibvirtTest;
import dev.virtunit.junit.OvsBridge;
import dev.virtunit.junit.UpstreamHost;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * The failure report with a real guest behind a masquerading OVS bridge, through real JUnit (EngineTestKit): a test
 * that sent traffic through NAT and then failed leaves a folder whose files show that traffic (the guest's console
 * with its boot, its default route via the gateway, the NAT table's counters, the conntrack entry, the upstream's
 * peer with the host's address); the passing test leaves none.
 */
class FailureReportIT {

    @TempDir
    static Path reports;

    @LibvirtTest
    static class SendsThenFails {
        @UpstreamHost
        static Upstream internet;

        @OvsBridge(gateway = Bridge.Gateway.ON_VETH, natUplink = "internet")
        static Bridge lan;

        @LibvirtGuest(image = "${virtunit.testImage}", network = "lan")
        static Guest client;

        @Test
        void fails() {
            assertThat(client.ping(internet.address(), 2).received()).isEqualTo(2);
            assertThat(internet.sourceSeenFrom(client, Duration.ofSeconds(10))).contains(internet.hostAddress());
            fail("on purpose: the report must show what happened");
        }

        @Test
        void passes() {
        }
    }

    @Test
    void aFailedTestLeavesAReportOfWhatItsNetworkDid() throws IOException {
        EngineExecutionResults results = EngineTestKit.engine("junit-jupiter")
                .configurationParameter("virtunit.report.dir", reports.toString())
                .selectors(selectClass(SendsThenFails.class))
                .execute();

        results.testEvents().assertStatistics(stats -> stats.succeeded(1).failed(1));
        Path classDir = reports.resolve(SendsThenFails.class.getName());
        assertThat(classDir.resolve("passes")).doesNotExist();
        Path dir = classDir.resolve("fails");
        String guest = SendsThenFails.client.name();
        String bridge = SendsThenFails.lan.name();
        String table = SendsThenFails.lan.natTable();
        Upstream internet = SendsThenFails.internet;
        // In the IT's log, for a person reading it: what a report looks like.
        System.out.println(Files.readString(dir.resolve("index.md")));

        assertThat(dir.resolve("index.md")).content().contains("The test failed: ", "on purpose",
                "`guests/" + guest + "/console.log`", "`bridges/" + bridge + "/nft-" + table + ".txt`")
                .doesNotContain("## Not written");
        // The tiny image's kernel is quiet; its init says each boot step on the console.
        assertThat(dir.resolve("guests/" + guest + "/console.log")).content().contains("SeaBIOS",
                "virtunit-init: boot finished");
        assertThat(dir.resolve("guests/" + guest + "/domain.xml")).content().contains("<name>" + guest + "</name>");
        assertThat(dir.resolve("guests/" + guest + "/ip-route.txt")).content()
                .contains("default via " + SendsThenFails.lan.gateway());
        assertThat(dir.resolve("guests/" + guest + "/ip-addr.txt")).content().contains(SendsThenFails.client.address());
        assertThat(dir.resolve("bridges/" + bridge + "/nft-" + table + ".txt")).content()
                .containsPattern("counter translated \\{\\s*packets [1-9]");
        assertThat(dir.resolve("bridges/" + bridge + "/conntrack.txt")).content()
                .contains("src=" + SendsThenFails.client.address() + " dst=" + internet.address());
        assertThat(dir.resolve("bridges/" + bridge + "/ovs-ofctl-dump-flows.txt")).content().contains("actions=NORMAL");
        assertThat(dir.resolve("bridges/" + bridge + "/ovs-vsctl-show.txt")).content().contains("Bridge " + bridge);
        assertThat(dir.resolve("upstreams/" + internet.name() + "/peers.txt")).content()
                .contains("udp from " + internet.hostAddress() + ":");
        try (Stream<Path> files = Files.walk(dir)) {
            assertThat(files.filter(Files::isRegularFile).map(f -> dir.relativize(f).toString()))
                    .anyMatch(f -> f.startsWith("guests/" + guest + "/port-vnet"));
        }
        // The picture of the topology: the guest with its address on the bridge, the bridge's NAT toward the upstream.
        assertThat(dir.resolve("topology.txt")).content().contains(guest, SendsThenFails.client.address(), bridge,
                internet.name());
        // Graphviz writes '-' in SVG text as &#45;.
        assertThat(dir.resolve("topology.svg")).content().contains("<svg", guest.replace("-", "&#45;"));
        assertThat(dir.resolve("topology.png")).isNotEmptyFile();
        assertThat(dir.resolve("index.md")).content().contains("topology picture");
    }
}
