package dev.virtunit.internal.net;

import dev.virtunit.VirtunitException;
import dev.virtunit.internal.host.RecordingHostCommands;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IpLinksTest {

    private final RecordingHostCommands host = new RecordingHostCommands();
    private final IpLinks links = new IpLinks(host);

    @Test
    void parsesLinkNamesWithoutVethPeers() {
        assertThat(IpLinks.parseLinkNames("""
                1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000\\    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00
                4: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc fq_codel state UP mode DEFAULT group default qlen 1000\\    link/ether 02:fc:00:00:00:01 brd ff:ff:ff:ff:ff:ff
                75: vunt1a2bgb@vunt1a2bga: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\\    link/ether 8e:10:c8:5e:0d:5f brd ff:ff:ff:ff:ff:ff
                77: vunt1a2bh@if76: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000\\    link/ether 2a:6e:0b:9f:62:5c brd ff:ff:ff:ff:ff:ff link-netns vunt1a2bu
                """)).containsExactly("lo", "eth0", "vunt1a2bgb", "vunt1a2bh");
    }

    @Test
    void rejectsBadNamesBeforeRunningAnything() {
        assertThatThrownBy(() -> links.addBridge("vunt1a2b-bridge0"))
                .hasMessage("interface name 'vunt1a2b-bridge0' has 16 characters; Linux allows at most 15 characters");
        assertThatThrownBy(() -> links.addVethPair("vunt1a2bga", "vunt 1a2bgb"))
                .hasMessageStartingWith("interface name 'vunt 1a2bgb' may only contain");
        assertThatThrownBy(() -> links.addVethPair("vunt1a2bga", "vunt1a2bga"))
                .hasMessage("veth ends must differ, both are 'vunt1a2bga'");
        assertThatThrownBy(() -> links.addAddress("vunt1a2bgw", "192.168.230.1"))
                .hasMessageContaining("'192.168.230.1' is not an IPv4 address with a prefix length");
        assertThat(host.commands()).isEmpty();
    }

    @Test
    void aNeighbourIsForgottenOnlyWhereItsLinkStillExists() {
        // There at first; gone (with its bridge) the second time.
        host.answer(List.of("ip", "-o", "link", "show"), 1, "", "Device \"vunt1a2bg\" does not exist.");
        host.answerOnce(List.of("ip", "-o", "link", "show"), "9: vunt1a2bg: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500\n");

        links.deleteNeighbour("vunt1a2bg", "192.168.77.10");
        links.deleteNeighbour("vunt1a2bg", "192.168.77.10");

        assertThat(host.rendered()).containsExactly(
                "ip -o link show dev vunt1a2bg",
                "ip neigh flush to 192.168.77.10 dev vunt1a2bg",
                "ip -o link show dev vunt1a2bg");
        assertThatThrownBy(() -> links.addNeighbour("vunt1a2bg", "192.168.77.10", "52:54:00:12:34"))
                .hasMessageContaining("expected an IPv4 address and a MAC");
        assertThatThrownBy(() -> links.deleteNeighbour("vunt1a2bg", "$(reboot)")).hasMessageContaining("not an IPv4 address");
    }

    @Test
    void aVethPairIsCreatedWithItsFirstEndUpThenThePeerBroughtUp() {
        links.addVethPair("vunt1a2bwa", "vunt1a2bwb");

        assertThat(host.rendered()).containsExactly(
                "ip link add name vunt1a2bwa up type veth peer name vunt1a2bwb",
                "ip link set dev vunt1a2bwb up");
    }

    @Test
    void aVethPairIntoANamespaceIsOneCommandAndItsNamesAreChecked() {
        links.addVethPairInto("vunt1a2bwa", "vunt1a2bwb", "vunt1a2bu");

        assertThat(host.rendered()).containsExactly(
                "ip link add name vunt1a2bwa up type veth peer name vunt1a2bwb netns vunt1a2bu");
        assertThatThrownBy(() -> links.addVethPairInto("vunt1a2bwa", "vunt1a2bwa", "vunt1a2bu"))
                .hasMessage("veth ends must differ, both are 'vunt1a2bwa'");
        assertThatThrownBy(() -> links.addVethPairInto("vunt1a2bwa", "vunt1a2bwb", "bad ns"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aFailureNamesTheObjectAndCarriesStderr() {
        host.answer(List.of("ip", "link", "add"), 2, "", "RTNETLINK answers: File exists");

        assertThatThrownBy(() -> links.addBridge("vunt1a2bl"))
                .isInstanceOf(VirtunitException.class)
                .hasMessage("cannot create bridge vunt1a2bl: ip link add name vunt1a2bl type bridge stp_state 0 "
                        + "forward_delay 0 failed with exit code 2: RTNETLINK answers: File exists");
    }

    @Test
    void deletingAMissingLinkRunsNoDelete() {
        host.answer(List.of("ip", "-o", "link", "show"), 1, "", "Device \"vunt1a2bl\" does not exist.");

        links.deleteLink("vunt1a2bl");

        assertThat(host.rendered()).containsExactly("ip -o link show dev vunt1a2bl");
    }

    @Test
    void aLinkThatGoesBetweenTheLookupAndTheRequestCountsAsGone() {
        // What the soak met: the upstream's veth went with its namespace while iproute2 asked about it.
        host.answer(List.of("ip", "-o", "link", "show"), 1, "",
                "RTNETLINK answers: No such device\nCannot send link get request: No such device");

        assertThat(links.linkExists("vunt1a2bu0h")).isFalse();
        links.deleteLink("vunt1a2bu0h");
    }

    @Test
    void anUnexplainedFailureToLookALinkUpIsReported() {
        host.answer(List.of("ip", "-o", "link", "show"), 255, "", "RTNETLINK answers: Operation not permitted");

        assertThatThrownBy(() -> links.linkExists("vunt1a2bl")).isInstanceOf(VirtunitException.class)
                .hasMessageStartingWith("cannot tell whether link vunt1a2bl exists: ");
    }

    @Test
    void offloadInsideANamespaceRunsEthtoolThere() {
        links.disableTxOffloadIn("vunt1a2bg", "vunt1a2bga");

        assertThat(host.rendered()).containsExactly("ip netns exec vunt1a2bg ethtool -K vunt1a2bga tx off");
    }

    @Test
    void aVxlanLinkGoesUpTowardItsOtherEndOverItsUnderlay() {
        links.addVxlan("vunt1a2bx0", 4242, "172.31.250.1", "172.31.250.2", 4789, "vhbr0");

        assertThat(host.rendered()).containsExactly("ip link add name vunt1a2bx0 up type vxlan id 4242 local 172.31.250.1"
                + " remote 172.31.250.2 dstport 4789 dev vhbr0");
    }

    @Test
    void aVxlanLinkWithABadIdAddressOrPortIsRefusedBeforeAnythingRuns() {
        assertThatThrownBy(() -> links.addVxlan("vunt1a2bx0", 0, "172.31.250.1", "172.31.250.2", 4789, "vhbr0"))
                .hasMessageContaining("expected an id 1 to 16777215");
        assertThatThrownBy(() -> links.addVxlan("vunt1a2bx0", 1 << 24, "172.31.250.1", "172.31.250.2", 4789, "vhbr0"))
                .hasMessageContaining("id 16777216");
        assertThatThrownBy(() -> links.addVxlan("vunt1a2bx0", 7, "172.31.250.1", "$(reboot)", 4789, "vhbr0"))
                .hasMessageContaining("IPv4 addresses at both ends");
        assertThatThrownBy(() -> links.addVxlan("vunt1a2bx0", 7, "172.31.250.1", "172.31.250.2", 0, "vhbr0"))
                .hasMessageContaining("UDP port");
        assertThat(host.commands()).isEmpty();
    }
}
