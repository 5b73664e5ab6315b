package dev.virtunit.internal.lab;

import dev.virtunit.Bridge;
import dev.virtunit.Capture;
import dev.virtunit.Guest;
import dev.virtunit.Impairment;
import dev.virtunit.LinkConditions;
import dev.virtunit.Nat;
import dev.virtunit.internal.host.ProcessOwner;
import dev.virtunit.internal.net.MacPartition;
import dev.virtunit.internal.net.TrafficControl;
import dev.virtunit.observe.InterfaceInfo;
import dev.virtunit.BridgeSpec;
import dev.virtunit.InvalidDeclarationException;
import dev.virtunit.VirtunitException;
import dev.virtunit.Cidr;
import dev.virtunit.PortForwardRule;
import dev.virtunit.internal.net.HostNetworking;
import dev.virtunit.internal.net.IpLinks;
import dev.virtunit.internal.net.NatRules;
import dev.virtunit.internal.net.NatSpec;
import dev.virtunit.internal.net.OpenVSwitch;
import dev.virtunit.internal.net.PortForward;

import java.time.Duration;
import java.util.ArrayList;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * A bridge of the lab's: the device, the gateway address (on the bridge or on a veth pair's free end), and the NAT
 * table, each registered for teardown before it is made.
 */
public final class LabBridge implements Bridge {

    private final String name;
    private final Kind kind;
    private final Cidr subnet;
    private final Gateway placement;
    private final String gatewayInterface;
    private final boolean userspaceDatapath;
    private final Teardown teardown;
    /** .10 upward, past the gateway at .1, to the last host of the subnet. */
    private final StaticAddresses addresses;
    private volatile NatRules nat;
    private final HostNetworking host;
    /** The NAT table's name, also the stem of a partition's {@code bridge} table ({@code vu_<run>_b0p1}). */
    private final String tableName;
    private final String uplink;
    /** The MTU of the bridge's device and its ports, guests' NICs included: 1500 unless it spans hosts. */
    private final int mtu;
    /** The guests' gateway: .1 of the subnet, or the home bridge's for an extension; empty without one. */
    private final String gateway;
    private final List<LabCapture> captures = new CopyOnWriteArrayList<>();
    private final AtomicInteger partitions = new AtomicInteger();

    private LabBridge(String name, Kind kind, Cidr subnet, String gatewayInterface, boolean userspaceDatapath,
                      Teardown teardown, HostNetworking host, String tableName, String uplink, int mtu, GuestSide guestSide) {
        this.name = name;
        this.kind = kind;
        this.subnet = subnet;
        this.placement = guestSide.placement();
        this.gatewayInterface = gatewayInterface;
        this.userspaceDatapath = userspaceDatapath;
        this.teardown = teardown;
        this.host = host;
        this.tableName = tableName;
        this.uplink = uplink;
        this.mtu = mtu;
        this.gateway = guestSide.gateway();
        this.addresses = guestSide.addresses();
    }

    /** An Ethernet link's MTU: what every bridge has unless it spans hosts. */
    static final int ETHERNET_MTU = DomainPlan.Nic.ETHERNET_MTU;

    /** Creates the bridge on {@code host}; on failure removes what it made before throwing. */
    static LabBridge create(BridgeSpec spec, String name, String natTable, Cidr subnet, String run, HostNetworking host) {
        return create(spec, name, natTable, subnet, run, host, ETHERNET_MTU);
    }

    /**
     * Creates the bridge on {@code host} with the MTU {@code mtu} on its device, its gateway's veth ends and its
     * guests' NICs (below 1500 when it may span hosts: a VXLAN tunnel costs 50 bytes of the underlay's 1500).
     */
    static LabBridge create(BridgeSpec spec, String name, String natTable, Cidr subnet, String run, HostNetworking host,
                            int mtu) {
        String gateway = spec.gateway() == Gateway.NONE ? "" : Cidr.format(subnet.network().address() + 1);
        return build(spec, name, natTable, subnet, run, host, mtu, gateway + "/" + subnet.prefixLength(),
                new GuestSide(spec.gateway(), gateway, new StaticAddresses("bridge " + name, subnet, 10,
                        (1 << (32 - subnet.prefixLength())) - 2, "")));
    }

    /** What a bridge tells its guests: where their gateway is (how it is placed), and the segment's addresses. */
    record GuestSide(Gateway placement, String gateway, StaticAddresses addresses) {
    }

    /**
     * Makes the bridge {@code spec} describes, with {@code gatewayCidr} on its gateway's interface (unused for
     * {@link Gateway#NONE}); {@code guestSide} is what its guests are told. {@link BridgeExtension} makes extensions here.
     */
    static LabBridge build(BridgeSpec spec, String name, String natTable, Cidr subnet, String run,
                           HostNetworking host, int mtu, String gatewayCidr, GuestSide guestSide) {
        IpLinks linux = host.links();
        OpenVSwitch ovs = host.ovs();
        List<PortForward> forwards = parseForwards(spec.portForwards(), subnet);
        Teardown teardown = new Teardown();
        boolean userspace = spec.kind() == Kind.OVS && !ovs.kernelDatapathAvailable();
        String gatewayInterface = switch (spec.gateway()) {
            case ON_BRIDGE -> name;
            case ON_VETH -> name + "g";
            case NONE -> "";
        };
        LabBridge bridge = new LabBridge(name, spec.kind(), subnet, gatewayInterface, userspace, teardown, host, natTable,
                spec.natUplink().orElse(""), mtu, guestSide);
        boolean lowMtu = mtu < ETHERNET_MTU;
        String port = name + "p";
        // Steps running beside the caller's: each needs nothing the others make (see SideTask).
        List<SideTask<Void>> sideSteps = new ArrayList<>();
        try {
            // Every undo before any step: the NAT table and the gateway's end are made beside the rest (see below).
            if (spec.kind() == Kind.OVS) {
                teardown.register("OVS bridge " + name, () -> ovs.deleteBridge(name));
            } else {
                teardown.register("bridge " + name, () -> linux.deleteLink(name));
            }
            if (spec.gateway() == Gateway.ON_VETH) {
                teardown.register("veth " + port, () -> linux.deleteLink(port));
            }
            if (spec.natUplink().isPresent()) {
                String uplink = spec.natUplink().get();
                if (!linux.linkExists(uplink)) {
                    throw new InvalidDeclarationException("NAT uplink '" + uplink + "' of bridge " + name + " is neither an "
                            + "upstream host of the test nor an interface of this host (ip link)");
                }
                NatSpec natSpec = new NatSpec(natTable, subnet.network().toString(), gatewayInterface, uplink, forwards);
                teardown.register("nftables table " + natTable, () -> {
                    if (bridge.nat != null) {
                        bridge.nat.close();
                    } else {
                        host.nftables().deleteTable(natTable);
                    }
                });
                // The table names its interfaces, it needs none of them to exist: it loads while the links are made.
                sideSteps.add(SideTask.start("virtunit-nat-" + name, () -> {
                    bridge.nat = NatRules.apply(natSpec, host.nftables(), host.forwarding());
                    return null;
                }));
            }
            if (spec.kind() == Kind.LINUX) {
                linux.addBridge(name);
                if (lowMtu) {
                    // Set, not left to the kernel: a Linux bridge would otherwise follow its ports' smallest MTU.
                    linux.setMtu(name, mtu);
                }
            }
            if (spec.gateway() == Gateway.ON_VETH) {
                linux.addVethPair(port, gatewayInterface);
                if (lowMtu) {
                    linux.setMtu(port, mtu);
                    linux.setMtu(gatewayInterface, mtu);
                }
            }
            if (spec.kind() == Kind.OVS && spec.gateway() == Gateway.ON_VETH) {
                // The veth's offloads and the gateway's address need nothing of the bridge: they are set while
                // ovs-vswitchd makes it.
                sideSteps.add(SideTask.start("virtunit-gateway-" + name, () -> {
                    if (userspace) {
                        // The userspace datapath and offloaded checksums do not mix: TCP would break (HOST.md).
                        linux.disableTxOffload(port);
                        linux.disableTxOffload(gatewayInterface);
                    }
                    linux.addAddress(gatewayInterface, gatewayCidr);
                    return null;
                }));
            }
            // Linux answers ARP for any host address on any interface: with the gateway on a veth, the bridge's own
            // interface would answer the guests' "who has the gateway" first, and traffic would skip the veth (the
            // topology silently becoming "gateway on the bridge"). Off, it stays a pure switch port.
            if (spec.kind() == Kind.OVS) {
                // The veth end goes in with the bridge, in one ovs-vsctl transaction: one wait for ovs-vswitchd less.
                // Sorted, so that the ovs-vsctl command is the same on every run (Map.of iterates in a per-JVM order).
                // The pid means something only on its machine: a sweep of a remote host asks which one.
                ovs.addBridge(name, new TreeMap<>(Map.of("virtunit-run", run,
                        "virtunit-pid", Long.toString(ProcessHandle.current().pid()),
                        "virtunit-machine", ProcessOwner.thisMachine())),
                        spec.gateway() == Gateway.ON_VETH ? List.of(port) : List.of(),
                        lowMtu ? OptionalInt.of(mtu) : OptionalInt.empty());
                ovs.bridgeUp(name, spec.gateway() == Gateway.ON_VETH);
            }
            if (spec.gateway() == Gateway.ON_BRIDGE) {
                linux.addAddress(name, gatewayCidr);
            } else if (spec.gateway() == Gateway.ON_VETH && spec.kind() == Kind.LINUX) {
                linux.setMaster(port, name);
                linux.addAddress(gatewayInterface, gatewayCidr);
                linux.setArp(name, false);
            }
            sideSteps.forEach(SideTask::join);
            return bridge;
        } catch (RuntimeException e) {
            RuntimeException failure = ProvisioningFailure.naming(
                    (spec.kind() == Kind.OVS ? "OVS bridge " : "Linux bridge ") + name, e);
            for (SideTask<Void> step : sideSteps) {
                step.settle().filter(stepFailure -> stepFailure != e).ifPresent(failure::addSuppressed);
            }
            try {
                teardown.run();
            } catch (RuntimeException cleanup) {
                failure.addSuppressed(cleanup);
            }
            throw failure;
        }
    }

    private static List<PortForward> parseForwards(List<String> texts, Cidr subnet) {
        List<PortForward> forwards = new ArrayList<>();
        for (String text : texts) {
            // The spec checked the syntax when it was built; only an address outside a subnet chosen now can fail here.
            PortForwardRule rule = PortForwardRule.parse(text);
            String guest = rule.guestAddressIn(subnet);
            if (!subnet.contains(guest)) {
                throw new InvalidDeclarationException("port forward '" + text + "' points at " + rule.guestAddress()
                        + ", outside the bridge's subnet " + subnet.network());
            }
            forwards.add(rule.protocol().equals("tcp") ? PortForward.tcp(rule.uplinkPort(), guest, rule.guestPort())
                    : PortForward.udp(rule.uplinkPort(), guest, rule.guestPort()));
        }
        return forwards;
    }

    /** The segment's addresses: this bridge's own, or for an extension its home bridge's (the same object). */
    StaticAddresses addresses() {
        return addresses;
    }

    /** {@return the MTU of the bridge, its ports and its guests' NICs} @since 0.4 */
    public int mtu() {
        return mtu;
    }

    /**
     * Joins this bridge to one on another host ({@code remote}) by a VXLAN tunnel {@code link}, tunnel id {@code vni},
     * from {@code local} over {@code underlay} ({@link TunnelPort}); removed with the bridge, or alone by running the
     * returned undo. A taken id is a {@link dev.virtunit.internal.net.TunnelIdTakenException}: try another.
     *
     * @since 0.4
     */
    public Teardown addTunnel(String link, int vni, String local, String remote, String underlay) {
        return new TunnelPort(name, kind, userspaceDatapath, mtu, host).add(teardown, link, vni, local, remote, underlay);
    }

    /** The NAT in force (uplink, port forwards with their guest addresses resolved), if the bridge has one. */
    Optional<NatSpec> natSpec() {
        NatRules rules = nat;
        return rules == null ? Optional.empty() : Optional.of(rules.spec());
    }

    boolean userspaceDatapath() {
        return userspaceDatapath;
    }

    /**
     * A guest's tap on an OVS userspace bridge is still an ordinary host interface, and the host answers ARP for
     * its addresses there too; off, the guest's traffic enters the host where the topology says (the gateway).
     */
    void guestPortStarted(String tap, HostNetworking host) {
        if (userspaceDatapath && !tap.isEmpty()) {
            host.links().setArp(tap, false);
        }
    }

    /**
     * Tells the host the MAC of a guest's address on this bridge before the guest boots, on the interface the host
     * reaches it through (the gateway). Otherwise the host learns it by ARP, which it asks again only once a second:
     * the guest's network comes up between two questions, and readiness saw its SSH port up to a second late. The
     * entry is forgotten with the guest ({@code guestTeardown}, registered first), so that an address a later guest
     * takes is learned afresh.
     */
    void knowGuestAddress(String address, String mac, Teardown guestTeardown) {
        if (gatewayInterface.isEmpty()) {
            return;
        }
        guestTeardown.register("neighbour " + address + " on " + gatewayInterface,
                () -> host.links().deleteNeighbour(gatewayInterface, address));
        host.links().addNeighbour(gatewayInterface, address, mac);
    }

    void remove() {
        teardown.run();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Kind kind() {
        return kind;
    }

    @Override
    public String cidr() {
        return subnet.network().toString();
    }

    @Override
    public String gateway() {
        return gateway;
    }

    @Override
    public Gateway gatewayPlacement() {
        return placement;
    }

    @Override
    public String gatewayInterface() {
        return gatewayInterface;
    }

    @Override
    public String natTable() {
        return nat == null ? "" : nat.spec().tableName();
    }

    @Override
    public long natTranslatedPackets() {
        return nat == null ? 0 : nat.translatedPackets();
    }

    @Override
    public long natBlockedInboundPackets() {
        return nat == null ? 0 : nat.blockedInboundPackets();
    }

    // ---- observing and shaping ----

    @Override
    public Capture capture(Duration limit) {
        return LabCapture.start(host.commands(), name, "bridge " + name, limit, teardown, captures);
    }

    @Override
    public Capture captureUplink(Duration limit) {
        return LabCapture.start(host.commands(), requireUplink("capture on"), "bridge " + name, limit, teardown, captures);
    }

    /** Captures of this bridge so far, oldest first, for the failure report. */
    List<LabCapture> captures() {
        return List.copyOf(captures);
    }

    @Override
    public Nat nat() {
        return new LabNat(host.commands(), cidr(), natTable());
    }

    @Override
    public Impairment impairUplink(LinkConditions conditions) {
        String device = requireUplink("impair");
        TrafficControl tc = new TrafficControl(host.commands());
        return LabImpairment.apply(teardown, conditions + " on uplink " + device + " of bridge " + name,
                () -> tc.impair(device, conditions, tableName + "l"), () -> tc.clear(device, tableName + "l"));
    }

    private String requireUplink(String what) {
        if (uplink.isEmpty()) {
            throw new VirtunitException("cannot " + what + " the uplink of bridge " + name + ": it has no NAT uplink; "
                    + "declare one (@OvsBridge(natUplink = ...), BridgeSpec.withNat)");
        }
        return uplink;
    }

    @Override
    public Impairment partition(Guest a, Guest b) {
        int n = partitions.incrementAndGet();
        MacPartition partition = kind == Kind.OVS
                ? MacPartition.onOpenVSwitch(host.commands(), name, 0x7675_0000_0000L + n, macOn(a), macOn(b))
                : MacPartition.onLinuxBridge(host.commands(), tableName + "p" + n, macOn(a), macOn(b));
        return LabImpairment.apply(teardown, "partition of guests " + a.name() + " and " + b.name() + " on bridge " + name,
                partition::apply, partition::remove);
    }

    private String macOn(Guest guest) {
        return guest.interfaces().stream().filter(nic -> nic.source().equals(name)).map(InterfaceInfo::mac).findFirst()
                .orElseThrow(() -> new VirtunitException("cannot partition guest " + guest.name() + " on bridge " + name
                        + ": it has no NIC on this bridge (its NICs: " + guest.interfaces() + ")"));
    }

    @Override
    public String toString() {
        return "Bridge[" + name + ", " + kind + ", " + cidr() + ", gateway " + placement + (nat == null ? "" : ", NAT") + "]";
    }
}
