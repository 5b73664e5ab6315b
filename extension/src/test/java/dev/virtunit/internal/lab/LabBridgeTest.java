package dev.virtunit.internal.lab;

import dev.virtunit.Bridge;
import dev.virtunit.BridgeSpec;
import dev.virtunit.Cidr;
import dev.virtunit.InvalidDeclarationException;
import dev.virtunit.internal.host.ProcessOwner;
import dev.virtunit.internal.host.RecordingHostCommands;
import dev.virtunit.internal.net.HostNetworking;
import dev.virtunit.internal.net.IpForwarding;
import dev.virtunit.internal.net.Sysctls;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The commands a lab bridge issues, against a fake host: creation in order, teardown in reverse, undo on failure. */
class LabBridgeTest {

    private static final String BRIDGE = "vu1a2b3cb0";
    private static final String TABLE = "vu_1a2b3c_b0";
    private static final String UPLINK = "vu1a2b3cu0h";
    private static final Cidr SUBNET = Cidr.parse("192.168.77.0/24");
    private static final String PID = Long.toString(ProcessHandle.current().pid());
    private static final String VSCTL = "ovs-vsctl --timeout=10 ";

    private final RecordingHostCommands host = new RecordingHostCommands();
    private final HostNetworking network = new HostNetworking(host, new IpForwarding(new Sysctls(host)));

    /** No openvswitch module and none to load: the userspace datapath, as on this project's machines. */
    private void userspaceDatapath() {
        host.answer(List.of("test", "-d", "/sys/module/openvswitch"), 1, "", "");
        host.answer(List.of("modprobe", "openvswitch"), 1, "", "modprobe: FATAL: Module openvswitch not found");
        host.answer(List.of("sysctl", "-n", "net.ipv4.ip_forward"), "0\n");
    }

    private LabBridge create(BridgeSpec spec) {
        return LabBridge.create(spec, BRIDGE, TABLE, SUBNET, "1a2b3c", network);
    }

    /** The commands so far, as typed. */
    private List<String> commands() {
        return host.rendered();
    }

    /**
     * The OVS bridge's steps on the caller's thread, in order; its NAT table ({@link #NAT_LOAD}) and its gateway's
     * end ({@link #GATEWAY_END}) are made beside them.
     */
    private static final List<String> OVS_ON_VETH_WITH_NAT = List.of(
            "test -d /sys/module/openvswitch",
            "modprobe openvswitch",
            "ip -o link show dev " + UPLINK,
            "ip link add name vu1a2b3cb0p up type veth peer name vu1a2b3cb0g",
            "ip link set dev vu1a2b3cb0g up",
            VSCTL + "--may-exist add-br " + BRIDGE + " -- set bridge " + BRIDGE + " datapath_type=netdev -- set bridge "
                    + BRIDGE + " external_ids:virtunit-machine=" + ProcessOwner.thisMachine() + " external_ids:virtunit-pid=" + PID
                    + " external_ids:virtunit-run=1a2b3c -- --may-exist add-port " + BRIDGE + " vu1a2b3cb0p",
            VSCTL + "get interface vu1a2b3cb0p error",
            "ip link set dev vu1a2b3cb0p arp off",
            "ip link set dev " + BRIDGE + " arp off up");

    /** The NAT table's load, on a thread of its own once the uplink was found: its commands in their own order. */
    private static final List<String> NAT_LOAD = List.of(
            "sysctl -n net.ipv4.ip_forward",
            "sysctl -q -w net.ipv4.ip_forward=1",
            "nft -f -");

    /** The veth's offloads and the gateway's address, on a thread of their own once the veth pair is there. */
    private static final List<String> GATEWAY_END = List.of(
            "ethtool -K vu1a2b3cb0p tx off",
            "ethtool -K vu1a2b3cb0g tx off",
            "ip address add 192.168.77.1/24 dev vu1a2b3cb0g");

    /** {@code commands} without the steps made beside the rest, which interleave with it in no fixed order. */
    private static List<String> withoutSideSteps(List<String> commands) {
        List<String> rest = new java.util.ArrayList<>(commands);
        NAT_LOAD.forEach(rest::remove);
        GATEWAY_END.forEach(rest::remove);
        return rest;
    }

    /** The commands of a side step as they happened, in their order; each after the step it needs ({@code after}). */
    private List<String> sideStep(List<String> step, String after) {
        List<String> all = commands();
        assertThat(all.indexOf(step.get(0))).as("%s comes after %s", step.get(0), after)
                .isGreaterThan(all.indexOf(after));
        return all.stream().filter(step::contains).toList();
    }

    private List<String> natLoad() {
        return sideStep(NAT_LOAD, "ip -o link show dev " + UPLINK);
    }

    private List<String> gatewayEnd() {
        return sideStep(GATEWAY_END, "ip link set dev vu1a2b3cb0g up");
    }

    @Test
    void aGuestAddressIsToldToTheHostOnTheGatewayAndForgottenWithTheGuest() {
        userspaceDatapath();
        LabBridge bridge = create(BridgeSpec.ovs().withGateway(Bridge.Gateway.ON_VETH));
        int created = host.commands().size();
        Teardown guest = new Teardown();

        bridge.knowGuestAddress("192.168.77.10", "52:54:00:12:34:56", guest);
        guest.run();

        assertThat(commands().subList(created, host.commands().size())).containsExactly(
                "ip neigh replace 192.168.77.10 lladdr 52:54:00:12:34:56 dev vu1a2b3cb0g nud reachable",
                "ip -o link show dev vu1a2b3cb0g",
                "ip neigh flush to 192.168.77.10 dev vu1a2b3cb0g");
    }

    @Test
    void aFailureToTellTheHostLeavesTheUndoRegisteredAndABridgeWithoutGatewayTellsNothing() {
        userspaceDatapath();
        LabBridge bridge = create(BridgeSpec.ovs().withGateway(Bridge.Gateway.ON_VETH));
        LabBridge layer2 = LabBridge.create(BridgeSpec.ovs().withGateway(Bridge.Gateway.NONE), "vu1a2b3cb1", "vu_1a2b3c_b1",
                SUBNET, "1a2b3c", network);
        host.failFirst(List.of("ip", "neigh", "replace"));
        Teardown guest = new Teardown();

        assertThatThrownBy(() -> bridge.knowGuestAddress("192.168.77.10", "52:54:00:12:34:56", guest))
                .hasMessageStartingWith("cannot add neighbour 192.168.77.10 (52:54:00:12:34:56) on vu1a2b3cb0g: ip neigh replace");
        layer2.knowGuestAddress("192.168.77.11", "52:54:00:12:34:57", guest);

        assertThat(guest.pending()).containsExactly("neighbour 192.168.77.10 on vu1a2b3cb0g");
    }

    @Test
    void ovsBridgeWithTheGatewayOnAVethAndNatTowardAnUplink() {
        userspaceDatapath();

        LabBridge bridge = create(BridgeSpec.ovs().withGateway(Bridge.Gateway.ON_VETH).withNat(UPLINK));

        assertThat(withoutSideSteps(commands())).containsExactlyElementsOf(OVS_ON_VETH_WITH_NAT);
        assertThat(natLoad()).containsExactlyElementsOf(NAT_LOAD);
        assertThat(gatewayEnd()).containsExactlyElementsOf(GATEWAY_END);
        assertThat(bridge.gateway()).isEqualTo("192.168.77.1");
        assertThat(bridge.gatewayInterface()).isEqualTo("vu1a2b3cb0g");
        assertThat(bridge.natTable()).isEqualTo(TABLE);
        assertThat(bridge.userspaceDatapath()).isTrue();
        assertThat(network.forwarding().holders()).isEqualTo(1);
    }

    @Test
    void teardownRunsInReverseOrderAndOnlyOnce() {
        userspaceDatapath();
        LabBridge bridge = create(BridgeSpec.ovs().withGateway(Bridge.Gateway.ON_VETH).withNat(UPLINK));
        int created = host.commands().size();

        bridge.remove();
        bridge.remove();

        assertThat(commands().subList(created, commands().size())).containsExactly(
                "nft delete table ip " + TABLE,
                "sysctl -q -w net.ipv4.ip_forward=0",
                "ip -o link show dev vu1a2b3cb0p",
                "ip link del dev vu1a2b3cb0p",
                VSCTL + "--if-exists del-br " + BRIDGE);
        assertThat(network.forwarding().holders()).isZero();
    }

    @Test
    void linuxBridgeWithTheGatewayOnTheBridge() {
        LabBridge bridge = create(BridgeSpec.linux().withGateway(Bridge.Gateway.ON_BRIDGE));
        bridge.remove();

        assertThat(commands()).containsExactly(
                "ip link add name " + BRIDGE + " type bridge stp_state 0 forward_delay 0",
                "ip link set dev " + BRIDGE + " up",
                "ip address add 192.168.77.1/24 dev " + BRIDGE,
                "ip -o link show dev " + BRIDGE,
                "ip link del dev " + BRIDGE);
        assertThat(bridge.gatewayInterface()).isEqualTo(BRIDGE);
    }

    /** What undoing the whole OVS topology runs once the NAT table has loaded: the reverse of the undos' order. */
    private static final List<String> UNDO_ALL = List.of(
            "nft delete table ip " + TABLE,
            "sysctl -q -w net.ipv4.ip_forward=0",
            "ip -o link show dev vu1a2b3cb0p",
            "ip link del dev vu1a2b3cb0p",
            VSCTL + "--if-exists del-br " + BRIDGE);

    @Test
    void aFailedStepWaitsForTheNatTableThenUndoesEverything() {
        userspaceDatapath();
        // The bridge with the veth end as its port, in one ovs-vsctl transaction.
        host.failFirst(List.of("ovs-vsctl", "--timeout=10", "--may-exist", "add-br"));

        assertThatThrownBy(() -> create(BridgeSpec.ovs().withGateway(Bridge.Gateway.ON_VETH).withNat(UPLINK)))
                .hasMessageStartingWith("cannot create OVS bridge " + BRIDGE + ": cannot create Open vSwitch bridge "
                        + BRIDGE + " with port(s) vu1a2b3cb0p")
                .hasMessageContaining(RecordingHostCommands.INJECTED);

        // The table and the gateway's end were made beside the failed step, and removed after, never before.
        assertThat(natLoad()).containsExactlyElementsOf(NAT_LOAD);
        assertThat(gatewayEnd()).containsExactlyElementsOf(GATEWAY_END);
        List<String> rest = withoutSideSteps(commands());
        assertThat(rest.subList(0, 6)).isEqualTo(OVS_ON_VETH_WITH_NAT.subList(0, 6));
        assertThat(rest.subList(6, rest.size())).containsExactlyElementsOf(UNDO_ALL);
        assertThat(network.forwarding().holders()).isZero();
    }

    @Test
    void aFailedVethPairUndoesItselfTheBridgeNotYetMadeAndTheNatTable() {
        userspaceDatapath();
        host.failFirst(List.of("ip", "link", "add"));
        host.answer(List.of("ip", "-o", "link", "show", "dev", "vu1a2b3cb0p"), 1, "", "Device \"vu1a2b3cb0p\" does not exist.");

        assertThatThrownBy(() -> create(BridgeSpec.ovs().withGateway(Bridge.Gateway.ON_VETH).withNat(UPLINK)))
                .hasMessageStartingWith("cannot create OVS bridge " + BRIDGE + ": cannot create veth pair "
                        + "vu1a2b3cb0p/vu1a2b3cb0g");

        List<String> rest = withoutSideSteps(commands());
        assertThat(rest.subList(4, rest.size())).containsExactly(
                "nft delete table ip " + TABLE,
                "sysctl -q -w net.ipv4.ip_forward=0",
                "ip -o link show dev vu1a2b3cb0p",
                VSCTL + "--if-exists del-br " + BRIDGE);
    }

    @Test
    void aPortOpenVSwitchCannotOpenIsRemovedAndTheBridgeUndone() {
        userspaceDatapath();
        host.answer(List.of("ovs-vsctl", "--timeout=10", "get", "interface"), "\"could not open network device "
                + "vu1a2b3cb0p (No such device)\"\n");

        assertThatThrownBy(() -> create(BridgeSpec.ovs().withGateway(Bridge.Gateway.ON_VETH).withNat(UPLINK)))
                .hasMessageStartingWith("cannot create OVS bridge " + BRIDGE + ": Open vSwitch cannot use vu1a2b3cb0p "
                        + "as a port of " + BRIDGE + ": \"could not open network device");

        List<String> rest = withoutSideSteps(commands());
        assertThat(rest.subList(7, rest.size())).containsExactly(
                VSCTL + "--if-exists del-port " + BRIDGE + " vu1a2b3cb0p",
                "nft delete table ip " + TABLE,
                "sysctl -q -w net.ipv4.ip_forward=0",
                "ip -o link show dev vu1a2b3cb0p",
                "ip link del dev vu1a2b3cb0p",
                VSCTL + "--if-exists del-br " + BRIDGE);
    }

    @Test
    void aRejectedRuleSetRemovesTheTableAndRestoresForwardingOnceTheLinksAreMade() {
        userspaceDatapath();
        host.failFirst(List.of("nft", "-f"));

        assertThatThrownBy(() -> create(BridgeSpec.ovs().withGateway(Bridge.Gateway.ON_VETH).withNat(UPLINK)))
                .hasMessageStartingWith("cannot create OVS bridge " + BRIDGE + ": cannot load NAT table ip " + TABLE);

        // The NAT thread gives forwarding back itself as the load fails; the links go on, then all is undone.
        List<String> natThread = new java.util.ArrayList<>(NAT_LOAD);
        natThread.add("sysctl -q -w net.ipv4.ip_forward=0");
        List<String> all = commands();
        assertThat(all.stream().filter(natThread::contains).toList()).containsExactlyElementsOf(natThread);
        assertThat(gatewayEnd()).containsExactlyElementsOf(GATEWAY_END);
        List<String> rest = all.stream().filter(c -> !natThread.contains(c) && !GATEWAY_END.contains(c)).toList();
        int made = OVS_ON_VETH_WITH_NAT.size();
        assertThat(rest.subList(0, made)).isEqualTo(OVS_ON_VETH_WITH_NAT);
        assertThat(rest.subList(made, rest.size())).containsExactly(
                "nft delete table ip " + TABLE,
                "ip -o link show dev vu1a2b3cb0p",
                "ip link del dev vu1a2b3cb0p",
                VSCTL + "--if-exists del-br " + BRIDGE);
        assertThat(network.forwarding().holders()).isZero();
    }

    @Test
    void anUplinkThatIsNoInterfaceIsADeclarationErrorAndUndone() {
        host.answer(List.of("ip", "-o", "link", "show", "dev", "eth9"), 1, "", "Device \"eth9\" does not exist.");

        assertThatThrownBy(() -> create(BridgeSpec.linux().withNat("eth9")))
                .isInstanceOf(InvalidDeclarationException.class)
                .hasMessageStartingWith("NAT uplink 'eth9' of bridge " + BRIDGE);

        // Checked before anything is made; the bridge's undo (registered first) finds nothing to do but looks.
        assertThat(commands()).containsExactly("ip -o link show dev eth9", "ip -o link show dev " + BRIDGE,
                "ip link del dev " + BRIDGE);
    }
}
