package dev.virtunit.it.net;

import dev.virtunit.VirtunitException;
import dev.virtunit.internal.host.Command;
import dev.virtunit.internal.host.CommandResult;
import dev.virtunit.Cidr;
import dev.virtunit.internal.net.LinuxNetwork;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** {@link LinuxNetwork} against the real kernel: what each call leaves on the host, read back from sysfs and ip. */
class LinuxNetworkIT extends NetLabTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private LinuxNetwork linux;

    @BeforeEach
    void pickAdapter() {
        linux = lab.linux;
    }

    @Test
    void bridgeWithoutStpAndAVethPortUp() throws IOException {
        String bridge = lab.linuxBridge("l");
        String port = lab.name("pa");
        String peer = lab.name("pb");
        lab.vethPair(port, peer);
        linux.setMaster(port, bridge);

        Path sys = Path.of("/sys/class/net");
        assertThat(sys.resolve(bridge).resolve("bridge")).isDirectory();
        assertThat(Files.readString(sys.resolve(bridge + "/bridge/stp_state")).strip()).isEqualTo("0");
        assertThat(Files.readString(sys.resolve(bridge + "/bridge/forward_delay")).strip()).isEqualTo("0");
        assertThat(Files.readSymbolicLink(sys.resolve(port + "/master")).getFileName()).hasToString(bridge);
        for (String link : List.of(bridge, port, peer)) {
            assertThat(Files.readString(sys.resolve(link + "/flags")).strip()).as("flags of %s", link)
                    .satisfies(flags -> assertThat(Integer.decode(flags) & 1).as("IFF_UP").isEqualTo(1));
        }
        assertThat(linux.links()).contains(bridge, port, peer);
    }

    @Test
    void addressesShowInTheRoutesAndDeletionIsIdempotent() {
        String subnet = lab.freeSubnets(1).get(0);
        String port = lab.name("pa");
        String peer = lab.name("pb");
        lab.vethPair(port, peer);
        linux.addAddress(peer, subnet + ".1/24");

        assertThat(linux.routes().isFree(Cidr.parse(subnet + ".0/24"))).isFalse();
        assertThat(Command.check(TIMEOUT, "ip", "-o", "-4", "address", "show", "dev", peer).stdout()).contains(subnet + ".1/24");

        linux.deleteLink(port);
        assertThat(linux.linkExists(port)).isFalse();
        assertThat(linux.linkExists(peer)).as("a veth's peer goes with it").isFalse();
        linux.deleteLink(port);
        linux.deleteLink(peer);
        assertThat(linux.routes().isFree(Cidr.parse(subnet + ".0/24"))).isTrue();
    }

    @Test
    void errorsNameTheObjectAndCarryStderr() {
        String bridge = lab.linuxBridge("l");

        assertThatThrownBy(() -> linux.addBridge(bridge))
                .isInstanceOf(VirtunitException.class)
                .hasMessageStartingWith("cannot create bridge " + bridge + ": ip link add name " + bridge)
                .hasMessageContaining("File exists");
        assertThatThrownBy(() -> linux.setMaster(lab.name("none"), bridge))
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
        linux.moveToNamespace(inside, namespace);
        linux.addAddressIn(namespace, inside, subnet + ".2/24");
        linux.linkUpIn(namespace, inside);
        linux.addAddress(outside, subnet + ".1/24");
        linux.addDefaultRouteIn(namespace, subnet + ".1");

        assertThat(linux.namespaceExists(namespace)).isTrue();
        assertThat(linux.linkExists(inside)).as("moved out of the host's namespace").isFalse();
        CommandResult links = linux.execIn(namespace, List.of("ip", "-o", "-4", "address", "show"));
        assertThat(links.stdout()).contains("lo", "127.0.0.1", inside, subnet + ".2/24");
        assertThat(linux.routesIn(namespace).lines()).anyMatch(line -> line.startsWith("default via " + subnet + ".1 dev " + inside));
        CommandResult ping = linux.execIn(namespace, List.of("busybox", "ping", "-c", "1", "-W", "5", subnet + ".1"));
        assertThat(ping.exitCode()).as("ping from the namespace to the host end: %s", ping).isZero();
        CommandResult failing = linux.execIn(namespace, List.of("sh", "-c", "echo oops >&2; exit 7"));
        assertThat(failing.exitCode()).isEqualTo(7);
        assertThat(failing.stderr()).isEqualTo("oops\n");

        // A process left inside would keep the namespace alive: deleting the namespace ends it first.
        Process sleeper = linux.startIn(namespace, List.of("busybox", "sleep", "600"));
        await("sleeper listed in namespace " + namespace).atMost(Duration.ofSeconds(10))
                .until(() -> linux.pidsIn(namespace).contains(sleeper.pid()));
        linux.deleteNamespace(namespace);
        assertThat(sleeper.waitFor(10, TimeUnit.SECONDS)).as("process in the namespace ended").isTrue();
        assertThat(linux.namespaceExists(namespace)).isFalse();
        assertThat(linux.linkExists(outside)).as("the veth went with the namespace").isFalse();
        linux.deleteNamespace(namespace);
    }

    @Test
    void sysctlsAndOffloads() {
        assertThat(linux.sysctl("net.ipv4.ip_forward")).isIn("0", "1");
        assertThat(linux.sysctlExists("net.ipv4.no_such_setting")).isFalse();
        assertThatThrownBy(() -> linux.sysctl("net.ipv4.no_such_setting"))
                .isInstanceOf(VirtunitException.class)
                .hasMessageStartingWith("cannot read sysctl net.ipv4.no_such_setting from /proc/sys/net/ipv4/no_such_setting");

        String port = lab.name("pa");
        String peer = lab.name("pb");
        lab.vethPair(port, peer);
        // A per-link sysctl of our own link: changing it touches nothing else on the host.
        String key = "net/ipv4/conf/" + port + "/rp_filter";
        linux.setSysctl(key, "2");
        assertThat(linux.sysctl(key)).isEqualTo("2");

        linux.disableTxOffload(port);
        assertThat(Command.check(TIMEOUT, "ethtool", "-k", port).stdout()).contains("tx-checksumming: off");
        assertThat(Command.check(TIMEOUT, "ethtool", "-k", peer).stdout()).contains("tx-checksumming: on");
    }
}
