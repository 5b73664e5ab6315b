package dev.virtunit.internal.net;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Parsing and argument checks only: every call here fails before it would run a command. */
class LinuxNetworkTest {

    private final LinuxNetwork linux = new LinuxNetwork();

    @Test
    void parsesLinkNamesWithoutVethPeers() {
        assertThat(LinuxNetwork.parseLinkNames("""
                1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000\\    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00
                4: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc fq_codel state UP mode DEFAULT group default qlen 1000\\    link/ether 02:fc:00:00:00:01 brd ff:ff:ff:ff:ff:ff
                75: vunt1a2bgb@vunt1a2bga: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\\    link/ether 8e:10:c8:5e:0d:5f brd ff:ff:ff:ff:ff:ff
                77: vunt1a2bh@if76: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000\\    link/ether 2a:6e:0b:9f:62:5c brd ff:ff:ff:ff:ff:ff link-netns vunt1a2bu
                """)).containsExactly("lo", "eth0", "vunt1a2bgb", "vunt1a2bh");
    }

    @Test
    void parsesNamespaceNamesWithAndWithoutIds() {
        assertThat(LinuxNetwork.parseNamespaceNames("vunt1a2bu (id: 1)\nvunt1a2bg\n\n"))
                .containsExactly("vunt1a2bu", "vunt1a2bg");
    }

    @Test
    void sysctlKeysMapToProcSysFiles() {
        assertThat(LinuxNetwork.sysctlFile("net.ipv4.ip_forward")).isEqualTo(Path.of("/proc/sys/net/ipv4/ip_forward"));
        assertThat(LinuxNetwork.sysctlFile("net/ipv4/conf/vunt.10/forwarding"))
                .isEqualTo(Path.of("/proc/sys/net/ipv4/conf/vunt.10/forwarding"));
    }

    @Test
    void sysctlKeysCannotLeaveProcSys() {
        assertThatThrownBy(() -> LinuxNetwork.sysctlFile("net/../../etc/shadow"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("sysctl key 'net/../../etc/shadow' is not like net.ipv4.ip_forward");
        assertThatThrownBy(() -> LinuxNetwork.sysctlFile("/etc/shadow")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rejectsBadNamesBeforeRunningAnything() {
        assertThatThrownBy(() -> linux.addBridge("vunt1a2b-bridge0"))
                .hasMessage("interface name 'vunt1a2b-bridge0' has 16 characters; Linux allows at most 15 characters");
        assertThatThrownBy(() -> linux.addVethPair("vunt1a2bga", "vunt 1a2bgb"))
                .hasMessageStartingWith("interface name 'vunt 1a2bgb' may only contain");
        assertThatThrownBy(() -> linux.addVethPair("vunt1a2bga", "vunt1a2bga"))
                .hasMessage("veth ends must differ, both are 'vunt1a2bga'");
        assertThatThrownBy(() -> linux.addAddress("vunt1a2bgw", "192.168.230.1"))
                .hasMessageContaining("'192.168.230.1' is not an IPv4 address with a prefix length");
        assertThatThrownBy(() -> linux.addDefaultRouteIn("vunt1a2bg", "192.168.230.1/24"))
                .hasMessage("'192.168.230.1/24' is not a dotted IPv4 address like 192.168.231.2");
        assertThatThrownBy(() -> linux.deleteNamespace("-all"))
                .hasMessageStartingWith("network namespace name '-all' may only contain");
        assertThatThrownBy(() -> linux.execIn("vunt1a2bg", List.of()))
                .hasMessage("no command to run in namespace vunt1a2bg");
    }
}
