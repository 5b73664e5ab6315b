package dev.virtunit.internal.lab;

import dev.virtunit.Bridge;
import dev.virtunit.BridgeSpec;
import dev.virtunit.Cidr;
import dev.virtunit.VirtunitException;
import dev.virtunit.internal.host.ProcessOwner;
import dev.virtunit.internal.host.RecordingHostCommands;
import dev.virtunit.internal.net.HostNetworking;
import dev.virtunit.internal.net.IpForwarding;
import dev.virtunit.internal.net.Sysctls;
import dev.virtunit.internal.net.TunnelIdTakenException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The commands of a bridge that may span hosts, against a recording host: its link MTU on the device, the gateway's
 * veth ends and the OVS transaction; a VXLAN tunnel as its port, removed with it; a taken tunnel id, told apart.
 */
class SpanningBridgeTest {

    private static final String BRIDGE = "vu1a2b3cb0";
    private static final String TABLE = "vu_1a2b3c_b0";
    private static final String TUNNEL = "vu1a2b3cb0t0";
    private static final Cidr SUBNET = Cidr.parse("192.168.77.0/24");
    private static final String PID = Long.toString(ProcessHandle.current().pid());
    private static final String VSCTL = "ovs-vsctl --timeout=10 ";
    private static final String ADD_VXLAN = "ip link add name " + TUNNEL + " mtu 1450 up type vxlan id 4242 local "
            + "172.31.250.1 remote 172.31.250.2 dstport 4789 dev vhbr0";

    private final RecordingHostCommands host = new RecordingHostCommands();
    private final HostNetworking network = new HostNetworking(host, new IpForwarding(new Sysctls(host)));

    private void userspaceDatapath() {
        host.answer(List.of("test", "-d", "/sys/module/openvswitch"), 1, "", "");
        host.answer(List.of("modprobe", "openvswitch"), 1, "", "modprobe: FATAL: Module openvswitch not found");
    }

    private LabBridge create(BridgeSpec spec, int mtu) {
        return LabBridge.create(spec, BRIDGE, TABLE, SUBNET, "1a2b3c", network, mtu);
    }

    private List<String> since(int start) {
        List<String> all = host.rendered();
        return all.subList(start, all.size());
    }

    private void tunnel(LabBridge bridge) {
        bridge.addTunnel(TUNNEL, 4242, "172.31.250.1", "172.31.250.2", "vhbr0");
    }

    @Test
    void aLinuxBridgeWithALowerLinkMtuSetsItOnItsDeviceAndTheGatewaysVethEnds() {
        LabBridge bridge = create(BridgeSpec.linux().withGateway(Bridge.Gateway.ON_VETH), 1450);

        assertThat(host.rendered()).containsExactly(
                "ip link add name " + BRIDGE + " type bridge stp_state 0 forward_delay 0",
                "ip link set dev " + BRIDGE + " up",
                "ip link set dev " + BRIDGE + " mtu 1450",
                "ip link add name vu1a2b3cb0p up type veth peer name vu1a2b3cb0g",
                "ip link set dev vu1a2b3cb0g up",
                "ip link set dev vu1a2b3cb0p mtu 1450",
                "ip link set dev vu1a2b3cb0g mtu 1450",
                "ip link set dev vu1a2b3cb0p master " + BRIDGE,
                "ip address add 192.168.77.1/24 dev vu1a2b3cb0g",
                "ip link set dev " + BRIDGE + " arp off");
        assertThat(bridge.mtu()).isEqualTo(1450);
    }

    @Test
    void anOvsBridgeRequestsTheMtuOfItsInterfaceInItsOneTransaction() {
        userspaceDatapath();

        create(BridgeSpec.ovs().withGateway(Bridge.Gateway.ON_BRIDGE), 1450);

        assertThat(host.rendered()).containsExactly(
                "test -d /sys/module/openvswitch",
                "modprobe openvswitch",
                VSCTL + "--may-exist add-br " + BRIDGE + " -- set bridge " + BRIDGE + " datapath_type=netdev -- set bridge "
                        + BRIDGE + " external_ids:virtunit-machine=" + ProcessOwner.thisMachine() + " external_ids:virtunit-pid="
                        + PID + " external_ids:virtunit-run=1a2b3c -- set interface " + BRIDGE + " mtu_request=1450",
                "ip link set dev " + BRIDGE + " up",
                "ip address add 192.168.77.1/24 dev " + BRIDGE);
    }

    @Test
    void ethernetsMtuAddsNoCommand() {
        // Sorted: the gateway's end is made beside the rest, in no fixed order.
        List<String> before = bothKinds(0).stream().sorted().toList();
        List<String> atEthernetsMtu = bothKinds(1500);

        assertThat(atEthernetsMtu.stream().sorted().toList()).isEqualTo(before);
        assertThat(atEthernetsMtu).noneMatch(command -> command.contains("mtu")).hasSizeGreaterThan(10);
    }

    /** The commands of an OVS and a Linux bridge, each with its gateway on a veth, on a fresh host; 0: no MTU given. */
    private static List<String> bothKinds(int mtu) {
        RecordingHostCommands fresh = new RecordingHostCommands();
        fresh.answer(List.of("test", "-d", "/sys/module/openvswitch"), 1, "", "");
        fresh.answer(List.of("modprobe", "openvswitch"), 1, "", "modprobe: FATAL: Module openvswitch not found");
        HostNetworking on = new HostNetworking(fresh, new IpForwarding(new Sysctls(fresh)));
        BridgeSpec ovs = BridgeSpec.ovs().withGateway(Bridge.Gateway.ON_VETH);
        BridgeSpec linux = BridgeSpec.linux().withGateway(Bridge.Gateway.ON_VETH);
        if (mtu == 0) {
            LabBridge.create(ovs, BRIDGE, TABLE, SUBNET, "1a2b3c", on);
            LabBridge.create(linux, "vu1a2b3cb1", "vu_1a2b3c_b1", SUBNET, "1a2b3c", on);
        } else {
            assertThat(LabBridge.create(ovs, BRIDGE, TABLE, SUBNET, "1a2b3c", on, mtu).mtu()).isEqualTo(mtu);
            LabBridge.create(linux, "vu1a2b3cb1", "vu_1a2b3c_b1", SUBNET, "1a2b3c", on, mtu);
        }
        return fresh.rendered();
    }

    @Test
    void aTunnelOnAnOvsBridgeIsAKernelVxlanPortWithOffloadsOffAndGoesBeforeTheBridge() {
        userspaceDatapath();
        LabBridge bridge = create(BridgeSpec.ovs().withGateway(Bridge.Gateway.ON_BRIDGE), 1450);
        int made = host.rendered().size();

        tunnel(bridge);

        assertThat(since(made)).containsExactly(
                ADD_VXLAN,
                "ethtool -K " + TUNNEL + " tx off",
                VSCTL + "--may-exist add-port " + BRIDGE + " " + TUNNEL,
                VSCTL + "get interface " + TUNNEL + " error",
                "ip link set dev " + TUNNEL + " arp off");
        int tunneled = host.rendered().size();

        bridge.remove();
        bridge.remove();

        assertThat(since(tunneled)).containsExactly(
                VSCTL + "--if-exists del-port " + BRIDGE + " " + TUNNEL,
                "ip -o link show dev " + TUNNEL,
                "ip link del dev " + TUNNEL,
                VSCTL + "--if-exists del-br " + BRIDGE);
    }

    @Test
    void aTunnelOnALinuxBridgeIsItsPortAndItsOwnUndoRemovesItAlone() {
        LabBridge bridge = create(BridgeSpec.linux().withGateway(Bridge.Gateway.ON_BRIDGE), 1450);
        int made = host.rendered().size();

        Teardown undo = bridge.addTunnel(TUNNEL, 4242, "172.31.250.1", "172.31.250.2", "vhbr0");
        assertThat(since(made)).containsExactly(ADD_VXLAN, "ip link set dev " + TUNNEL + " master " + BRIDGE);
        int tunneled = host.rendered().size();
        undo.run();
        bridge.remove();

        assertThat(since(tunneled)).containsExactly(
                "ip -o link show dev " + TUNNEL,
                "ip link del dev " + TUNNEL,
                "ip -o link show dev " + BRIDGE,
                "ip link del dev " + BRIDGE);
    }

    @Test
    void aTakenTunnelIdIsItsOwnErrorAndLeavesNothing() {
        LabBridge bridge = create(BridgeSpec.linux().withGateway(Bridge.Gateway.ON_BRIDGE), 1450);
        host.answer(List.of("ip", "link", "add", "name", TUNNEL), 2, "",
                "Error: A VXLAN device with the specified VNI already exists.");
        host.answer(List.of("ip", "-o", "link", "show", "dev", TUNNEL), 1, "", "Device \"" + TUNNEL + "\" does not exist.");
        int made = host.rendered().size();

        assertThatThrownBy(() -> tunnel(bridge))
                .isInstanceOfSatisfying(TunnelIdTakenException.class, e -> assertThat(e.vni()).isEqualTo(4242))
                .hasMessageStartingWith("cannot add tunnel " + TUNNEL + " (VXLAN id 4242, 172.31.250.1 to 172.31.250.2 "
                        + "over vhbr0) to bridge " + BRIDGE + ": cannot create VXLAN link " + TUNNEL)
                .hasMessageContaining("tunnel id 4242 is in use")
                .hasMessageContaining(ADD_VXLAN);
        assertThat(since(made)).containsExactly(ADD_VXLAN, "ip -o link show dev " + TUNNEL);
    }

    @Test
    void olderKernelsSayFileExistsForATakenIdButAlsoForATakenName() {
        LabBridge bridge = create(BridgeSpec.linux().withGateway(Bridge.Gateway.ON_BRIDGE), 1450);
        host.answer(List.of("ip", "link", "add", "name", TUNNEL), 2, "", "RTNETLINK answers: File exists");
        host.answerOnce(List.of("ip", "-o", "link", "show", "dev", TUNNEL), "");
        host.answer(List.of("ip", "-o", "link", "show", "dev", TUNNEL), 1, "", "Device \"" + TUNNEL + "\" does not exist.");

        // The link's name exists: the name is what is taken, and nothing says the id is.
        assertThatThrownBy(() -> tunnel(bridge)).isNotInstanceOf(TunnelIdTakenException.class)
                .isInstanceOf(VirtunitException.class)
                .hasMessageStartingWith("cannot add tunnel " + TUNNEL)
                .hasMessageContaining("cannot create VXLAN link " + TUNNEL)
                .hasMessageContaining("File exists");
        // No such link: it is the id.
        assertThatThrownBy(() -> tunnel(bridge)).isInstanceOf(TunnelIdTakenException.class);
    }

    @Test
    void anyOtherFailureNamesTheBridgeTheLinkAndTheCommandAndIsUndone() {
        userspaceDatapath();
        LabBridge bridge = create(BridgeSpec.ovs().withGateway(Bridge.Gateway.ON_BRIDGE), 1450);
        host.failFirst(List.of("ovs-vsctl", "--timeout=10", "--may-exist", "add-port"));
        int made = host.rendered().size();

        assertThatThrownBy(() -> tunnel(bridge))
                .isNotInstanceOf(TunnelIdTakenException.class)
                .hasMessageStartingWith("cannot add tunnel " + TUNNEL + " (VXLAN id 4242, 172.31.250.1 to 172.31.250.2 "
                        + "over vhbr0) to bridge " + BRIDGE + ": cannot add port " + TUNNEL + " to Open vSwitch bridge "
                        + BRIDGE + ": ovs-vsctl --timeout=10 --may-exist add-port")
                .hasMessageContaining(RecordingHostCommands.INJECTED);
        assertThat(since(made)).containsExactly(
                ADD_VXLAN,
                "ethtool -K " + TUNNEL + " tx off",
                VSCTL + "--may-exist add-port " + BRIDGE + " " + TUNNEL,
                VSCTL + "--if-exists del-port " + BRIDGE + " " + TUNNEL,
                "ip -o link show dev " + TUNNEL,
                "ip link del dev " + TUNNEL);
    }

    @Test
    void badArgumentsAreRefusedNamingTheTunnelAndTheBridgeBeforeAnyCommand() {
        LabBridge bridge = create(BridgeSpec.linux().withGateway(Bridge.Gateway.ON_BRIDGE), 1450);
        int made = host.rendered().size();

        assertThatThrownBy(() -> bridge.addTunnel(TUNNEL, 0, "172.31.250.1", "172.31.250.2", "vhbr0"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cannot add tunnel " + TUNNEL + " (VXLAN id 0, 172.31.250.1 to 172.31.250.2 over vhbr0) to "
                        + "bridge " + BRIDGE + ": the VXLAN id must be 1 to 16777215");
        assertThatThrownBy(() -> bridge.addTunnel(TUNNEL, 7, "here", "172.31.250.2", "vhbr0"))
                .hasMessageContaining("to bridge " + BRIDGE + ": both ends must be IPv4 addresses");
        assertThatThrownBy(() -> bridge.addTunnel(BRIDGE + "tunnel0", 7, "172.31.250.1", "172.31.250.2", "vhbr0"))
                .hasMessageStartingWith("cannot add tunnel " + BRIDGE + "tunnel0")
                .hasMessageContaining("to bridge " + BRIDGE + ": ")
                .hasMessageContaining("Names.tunnelLink");
        assertThat(since(made)).isEmpty();
    }

    @Test
    void tunnelLinkNamesFitLinuxsFifteenCharacters() {
        assertThat(Names.tunnelLink(Names.bridgeDevice("1a2b3c", 0), 0)).isEqualTo("vu1a2b3cb0t0");
        assertThat(Names.tunnelLink(Names.bridgeDevice("1a2b3c", 99), 99)).isEqualTo("vu1a2b3cb99t99").hasSize(14);
        assertThatThrownBy(() -> Names.tunnelLink(Names.bridgeDevice("1a2b3c", 999), 100))
                .hasMessageContaining("vu1a2b3cb999t100").hasMessageContaining("15 characters");
    }
}
