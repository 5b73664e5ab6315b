package dev.virtunit.it.net;

import dev.virtunit.VirtunitException;
import dev.virtunit.internal.host.Command;
import dev.virtunit.internal.host.CommandResult;
import dev.virtunit.Cidr;
import dev.virtunit.internal.host.HostProcess;
import dev.virtunit.internal.net.IpLinks;
import dev.virtunit.internal.net.IpRoutes;
import dev.virtunit.internal.net.NetworkNamespaces;
import dev.virtunit.internal.net.Sysctls;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * {@link IpLinks}, {@link IpRoutes}, {@link NetworkNamespaces} and {@link Sysctls} against the real kernel: what each
 * call leaves on the host, read back from sysfs and ip.
 */
class LinuxNetworkIT extends NetLabTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private IpLinks links;
    private IpRoutes routes;
    private NetworkNamespaces namespaces;
    private Sysctls sysctls;

    @BeforeEach
    void pickAdapters() {
        links = lab.links;
        routes = lab.routes;
        namespaces = lab.namespaces;
        sysctls = lab.sysctls;
    }

    @Test
    void bridgeWithoutStpAndAVethPortUp() throws IOException {
        String bridge = lab.linuxBridge("l");
        String port = lab.name("pa");
        String peer = lab.name("pb");
        lab.vethPair(port, peer);
        links.setMaster(port, bridge);

        Path sys = Path.of("/sys/class/net");
        assertThat(sys.resolve(bridge).resolve("bridge")).isDirectory();
        assertThat(Files.readString(sys.resolve(bridge + "/bridge/stp_state")).strip()).isEqualTo("0");
        assertThat(Files.readString(sys.resolve(bridge + "/bridge/forward_delay")).strip()).isEqualTo("0");
        assertThat(Files.readSymbolicLink(sys.resolve(port + "/master")).getFileName()).hasToString(bridge);
        for (String link : List.of(bridge, port, peer)) {
            assertThat(Files.readString(sys.resolve(link + "/flags")).strip()).as("flags of %s", link)
                    .satisfies(flags -> assertThat(Integer.decode(flags) & 1).as("IFF_UP").isEqualTo(1));
        }
        assertThat(links.links()).contains(bridge, port, peer);
    }

    @Test
    void addressesShowInTheRoutesAndDeletionIsIdempotent() {
        String subnet = lab.freeSubnets(1).get(0);
        String port = lab.name("pa");
        String peer = lab.name("pb");
        lab.vethPair(port, peer);
        links.addAddress(peer, subnet + ".1/24");

        assertThat(routes.routes().isFree(Cidr.parse(subnet + ".0/24"))).isFalse();
        assertThat(Command.check(TIMEOUT, "ip", "-o", "-4", "address", "show", "dev", peer).stdout()).contains(subnet + ".1/24");

        links.deleteLink(port);
        assertThat(links.linkExists(port)).isFalse();
        assertThat(links.linkExists(peer)).as("a veth's peer goes with it").isFalse();
        links.deleteLink(port);
        links.deleteLink(peer);
        assertThat(routes.routes().isFree(Cidr.parse(subnet + ".0/24"))).isTrue();
    }

    @Test
    void errorsNameTheObjectAndCarryStderr() {
        String bridge = lab.linuxBridge("l");

        assertThatThrownBy(() -> links.addBridge(bridge))
                .isInstanceOf(VirtunitException.class)
                .hasMessageStartingWith("cannot create bridge " + bridge + ": ip link add name " + bridge)
                .hasMessageContaining("File exists");
        assertThatThrownBy(() -> links.setMaster(lab.name("none"), bridge))
                .hasMessageStartingWith("cannot add " + lab.name("none") + " to bridge " + bridge)
                .hasMessageContaining("Cannot find device \"" + lab.name("none") + "\"");
    }

    @Test
    void aNamespaceWithALinkMovedInRunsCommandsAndProcesses() throws InterruptedException {
        String subnet = lab.freeSubnets(1).get(0);
        String namespace = lab.namespace("n");
        String inside = lab.name("na");
        String outside = lab.name("nb");
        lab.vethPair(inside, outside);
        links.moveToNamespace(inside, namespace);
        links.addAddressIn(namespace, inside, subnet + ".2/24");
        links.linkUpIn(namespace, inside);
        links.addAddress(outside, subnet + ".1/24");
        routes.addDefaultRouteIn(namespace, subnet + ".1");

        assertThat(namespaces.namespaceExists(namespace)).isTrue();
        assertThat(links.linkExists(inside)).as("moved out of the host's namespace").isFalse();
        CommandResult addresses = namespaces.execIn(namespace, List.of("ip", "-o", "-4", "address", "show"));
        assertThat(addresses.stdout()).contains("lo", "127.0.0.1", inside, subnet + ".2/24");
        assertThat(routes.routesIn(namespace).lines()).anyMatch(line -> line.startsWith("default via " + subnet + ".1 dev " + inside));
        CommandResult ping = namespaces.execIn(namespace, List.of("busybox", "ping", "-c", "1", "-W", "5", subnet + ".1"));
        assertThat(ping.exitCode()).as("ping from the namespace to the host end: %s", ping).isZero();
        CommandResult failing = namespaces.execIn(namespace, List.of("sh", "-c", "echo oops >&2; exit 7"));
        assertThat(failing.exitCode()).isEqualTo(7);
        assertThat(failing.stderr()).isEqualTo("oops\n");

        // A process left inside would keep the namespace alive: deleting the namespace ends it first.
        HostProcess sleeper = namespaces.startIn(namespace, List.of("busybox", "sleep", "600"));
        await("sleeper listed in namespace " + namespace).atMost(Duration.ofSeconds(10))
                .until(() -> namespaces.pidsIn(namespace).contains(sleeper.pid()));
        namespaces.deleteNamespace(namespace);
        assertThat(sleeper.waitFor(Duration.ofSeconds(10))).as("process in the namespace ended").isTrue();
        assertThat(namespaces.namespaceExists(namespace)).isFalse();
        assertThat(links.linkExists(outside)).as("the veth went with the namespace").isFalse();
        namespaces.deleteNamespace(namespace);
    }

    @Test
    void sysctlsAndOffloads() {
        assertThat(sysctls.read("net.ipv4.ip_forward")).isIn("0", "1");
        assertThat(sysctls.exists("net.ipv4.no_such_setting")).isFalse();
        assertThatThrownBy(() -> sysctls.read("net.ipv4.no_such_setting"))
                .isInstanceOf(VirtunitException.class)
                .hasMessageStartingWith("cannot read sysctl net.ipv4.no_such_setting: sysctl -n net.ipv4.no_such_setting failed")
                .hasMessageContaining("/proc/sys/net/ipv4/no_such_setting");

        String port = lab.name("pa");
        String peer = lab.name("pb");
        lab.vethPair(port, peer);
        // A per-link sysctl of our own link: changing it touches nothing else on the host.
        String key = "net/ipv4/conf/" + port + "/rp_filter";
        sysctls.write(key, "2");
        assertThat(sysctls.read(key)).isEqualTo("2");

        links.disableTxOffload(port);
        assertThat(Command.check(TIMEOUT, "ethtool", "-k", port).stdout()).contains("tx-checksumming: off");
        assertThat(Command.check(TIMEOUT, "ethtool", "-k", peer).stdout()).contains("tx-checksumming: on");
    }
}
