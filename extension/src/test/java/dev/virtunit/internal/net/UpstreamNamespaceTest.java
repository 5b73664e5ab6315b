package dev.virtunit.internal.net;

import java.time.Duration;
import dev.virtunit.internal.host.RecordingHostCommands;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The commands an upstream host issues, against a fake host whose echo server is a scripted process. */
class UpstreamNamespaceTest {

    private static final String NS = "vunt1a2bu";
    private static final List<String> NETNS_LIST = List.of("ip", "netns", "list");

    private final RecordingHostCommands host = new RecordingHostCommands();
    private final HostNetworking network = new HostNetworking(host, new IpForwarding(new Sysctls(host)));

    UpstreamNamespaceTest() {
        // Neither link exists before; the namespace does not either at first, and is listed once made.
        host.answer(List.of("ip", "-o", "link", "show"), "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536\n");
        host.answer(List.of("ip", "-o", "link", "show", "dev"), 1, "", "Device does not exist.");
        host.answer(NETNS_LIST, NS + "\n");
        host.answerOnce(NETNS_LIST, "");
        host.startedPrints(List.of("ip", "netns", "exec", NS), "READY tcp 40001 udp 40002\n");
    }

    private static final List<String> CREATION = List.of(
            "ip -o link show",
            "ip netns list",
            "ip netns add " + NS,
            "ip -n " + NS + " link set dev lo up",
            "ip link add name vunt1a2buh up type veth peer name vunt1a2bun netns " + NS,
            "ip -n " + NS + " address add 192.168.231.2/24 dev vunt1a2bun",
            "ip -n " + NS + " link set dev vunt1a2bun up",
            "ip address add 192.168.231.1/24 dev vunt1a2buh");

    @Test
    void createsTheNamespaceAndItsLinkThenStartsTheEchoServer() {
        UpstreamNamespace upstream = UpstreamNamespace.start(network, NS, "192.168.231.1/24", "192.168.231.2/24");
        upstream.routeViaHost("192.168.77.0/24");

        List<String> commands = host.rendered();
        assertThat(commands.subList(0, CREATION.size())).isEqualTo(CREATION);
        assertThat(host.commands().get(CREATION.size())).startsWith("ip", "netns", "exec", NS)
                .endsWith(EchoServer.class.getName(), "0", "0");
        assertThat(commands.subList(CREATION.size() + 1, commands.size()))
                .containsExactly("ip -n " + NS + " route add 192.168.77.0/24 via 192.168.231.1");
        assertThat(upstream.tcpPort()).isEqualTo(40001);
        assertThat(upstream.udpPort()).isEqualTo(40002);
        assertThat(upstream.uplinkInterface()).isEqualTo("vunt1a2buh");
    }

    @Test
    void creationDoesNotWaitForTheEchoServerButItsFirstUseDoesAndReportsItsDeath() {
        // A server that never says READY: creation returns anyway (its JVM gets ready while guests boot)...
        host.startedPrints(List.of("ip", "netns", "exec", NS), "");
        UpstreamNamespace upstream = UpstreamNamespace.start(network, NS, "192.168.231.1/24", "192.168.231.2/24");
        // ...and when it dies before listening, the first use says so, as does every later one.
        host.started().get(0).kill();

        assertThatThrownBy(upstream::tcpPort).hasMessage("echo server in namespace " + NS
                + " did not get ready (exit code 137); its stderr: ");
        assertThatThrownBy(upstream::peersSeen).hasMessageContaining("did not get ready (exit code 137)");
        upstream.close();
    }

    @Test
    void closingStopsTheServerThenDeletesTheNamespaceAndTheLinkOnce() {
        UpstreamNamespace upstream = UpstreamNamespace.start(network, NS, "192.168.231.1/24", "192.168.231.2/24");
        int created = host.commands().size();

        upstream.close();
        host.answer(NETNS_LIST, "");
        upstream.close();

        // killed at once: a JVM left to exit by itself takes 0.3 s, and the server has nothing to finish
        assertThat(host.started()).singleElement().satisfies(echo -> assertThat(echo.exitCode()).hasValue(137));
        assertThat(host.rendered().subList(created, host.commands().size())).containsExactly(
                "ip netns list",
                "ip netns pids " + NS,
                "ip netns del " + NS,
                "ip -o link show dev vunt1a2buh",
                // the second close finds nothing left to delete
                "ip netns list",
                "ip -o link show dev vunt1a2buh");
    }

    @Test
    void aFailedStepRemovesTheNamespaceAndStartsNoServer() {
        host.failFirst(List.of("ip", "-n", NS, "address", "add"));

        assertThatThrownBy(() -> UpstreamNamespace.start(network, NS, "192.168.231.1/24", "192.168.231.2/24"))
                .hasMessageStartingWith("cannot create upstream host " + NS + ": cannot add address 192.168.231.2/24 "
                        + "to vunt1a2bun in namespace " + NS);

        assertThat(host.rendered()).startsWith(CREATION.subList(0, 6).toArray(String[]::new));
        assertThat(host.rendered().subList(6, host.commands().size())).containsExactly(
                "ip netns list",
                "ip netns pids " + NS,
                "ip netns del " + NS,
                "ip -o link show dev vunt1a2buh");
        assertThat(host.started()).isEmpty();
    }

    @Test
    void aFailedVethPairRemovesTheNamespaceItWasFor() {
        host.failFirst(List.of("ip", "link", "add"));

        assertThatThrownBy(() -> UpstreamNamespace.start(network, NS, "192.168.231.1/24", "192.168.231.2/24"))
                .hasMessageStartingWith("cannot create upstream host " + NS + ": cannot create veth pair "
                        + "vunt1a2buh/vunt1a2bun with vunt1a2bun in namespace " + NS);

        assertThat(host.rendered().subList(5, host.commands().size())).containsExactly(
                "ip netns list",
                "ip netns pids " + NS,
                "ip netns del " + NS,
                "ip -o link show dev vunt1a2buh");
    }

    @Test
    void refusesToAdoptALinkSomeoneElseMadeFromOneListingOfLinks() {
        host.answer(List.of("ip", "-o", "link", "show"), "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536\n"
                + "9: vunt1a2bun@vunt1a2buh: <BROADCAST,MULTICAST> mtu 1500\n");
        host.answer(List.of("ip", "-o", "link", "show", "dev"), 1, "", "Device does not exist.");

        assertThatThrownBy(() -> UpstreamNamespace.start(network, NS, "192.168.231.1/24", "192.168.231.2/24"))
                .hasMessageContaining("link vunt1a2bun already exists");
        assertThat(host.rendered()).containsExactly("ip -o link show");
    }

    @Test
    void refusesToAdoptANamespaceSomeoneElseMade() {
        // Use up the constructor's one-shot empty listing: from now on the namespace is listed before we make it.
        host.run(Duration.ZERO, NETNS_LIST);

        assertThatThrownBy(() -> UpstreamNamespace.start(network, NS, "192.168.231.1/24", "192.168.231.2/24"))
                .hasMessageContaining("the network namespace already exists");
        assertThat(host.rendered()).noneMatch(c -> c.contains("del"));
    }
}
