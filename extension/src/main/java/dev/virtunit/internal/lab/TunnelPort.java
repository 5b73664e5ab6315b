package dev.virtunit.internal.lab;

import dev.virtunit.Bridge;
import dev.virtunit.Cidr;
import dev.virtunit.VirtunitException;
import dev.virtunit.internal.net.HostNetworking;
import dev.virtunit.internal.net.IpLinks;
import dev.virtunit.internal.net.NetworkNames;
import dev.virtunit.internal.net.OpenVSwitch;
import dev.virtunit.internal.net.TunnelIdTakenException;

/**
 * A VXLAN tunnel as a port of one of the lab's bridges ({@link LabBridge#addTunnel}): the bridge and one on another
 * host, each with such a port toward the other, are one Ethernet segment.
 *
 * <p>The tunnel is a kernel VXLAN link on either kind of bridge: a Linux bridge takes it as a port ({@code ip link set
 * master}), and Open vSwitch as an ordinary port on both datapaths (it reads and writes the link's frames like a
 * veth's). Open vSwitch's own VXLAN port ({@code type=vxlan}) is not used: on the userspace datapath (this project's
 * machines) it tunnels only from an underlay address held by an Open vSwitch bridge, so the host's uplink and its
 * address would have to move into Open vSwitch ("Assign IP address to physical bridge where VXLAN traffic is
 * expected", Open vSwitch's userspace tunneling how-to, docs.openvswitch.org/en/latest/howto/userspace-tunneling/;
 * openvswitch/ovs commit dc0bd12 widened "only the bridge itself, the LOCAL port" to other OVS ports, still OVS's).
 * A test lab must not rearrange the host's uplink.
 */
final class TunnelPort {

    /** IANA's VXLAN port; a host's VXLAN links on one port must differ in id ({@link TunnelIdTakenException}). */
    static final int VXLAN_PORT = 4789;

    private final String bridge;
    private final Bridge.Kind kind;
    private final boolean userspaceDatapath;
    private final int mtu;
    private final HostNetworking host;

    TunnelPort(String bridge, Bridge.Kind kind, boolean userspaceDatapath, int mtu, HostNetworking host) {
        this.bridge = bridge;
        this.kind = kind;
        this.userspaceDatapath = userspaceDatapath;
        this.mtu = mtu;
        this.host = host;
    }

    /**
     * Makes the link and the port, their undo registered in {@code bridgeTeardown} first (the bridge's removal
     * removes its tunnels, before the bridge); on failure undoes what it made before throwing.
     *
     * @return the tunnel's own undo, which removes it alone (the other end refused the id, say); idempotent
     */
    Teardown add(Teardown bridgeTeardown, String link, int vni, String local, String remote, String underlay) {
        String what = "tunnel " + link + " (VXLAN id " + vni + ", " + local + " to " + remote + " over " + underlay
                + ") to bridge " + bridge;
        check(what, link, vni, local, remote, underlay);
        IpLinks linux = host.links();
        OpenVSwitch ovs = host.ovs();
        Teardown tunnel = new Teardown();
        bridgeTeardown.register(what, tunnel::run);
        try {
            tunnel.register("VXLAN link " + link, () -> linux.deleteLink(link));
            if (kind == Bridge.Kind.OVS) {
                tunnel.register("Open vSwitch port " + link, () -> ovs.deletePort(bridge, link));
            }
            // The link's MTU is the bridge's, so that what the guests send fits the tunnel (a VXLAN link takes
            // frames of the underlay's MTU less 50 bytes; a larger one is dropped, not fragmented).
            linux.addVxlan(link, vni, local, remote, VXLAN_PORT, underlay, mtu);
            if (kind == Bridge.Kind.OVS) {
                if (userspaceDatapath) {
                    // Like a guest's tap: the userspace datapath and offloaded checksums do not mix (HOST.md).
                    linux.disableTxOffload(link);
                }
                ovs.addPort(bridge, link);
            } else {
                linux.setMaster(link, bridge);
            }
            return tunnel;
        } catch (RuntimeException e) {
            RuntimeException failure = e instanceof TunnelIdTakenException
                    ? new TunnelIdTakenException(vni, "cannot add " + what + ": " + e.getMessage(), e)
                    : new VirtunitException("cannot add " + what + ": " + e.getMessage(), e);
            try {
                tunnel.run();
            } catch (RuntimeException cleanup) {
                failure.addSuppressed(cleanup);
            }
            throw failure;
        }
    }

    private static void check(String what, String link, int vni, String local, String remote, String underlay) {
        String problem = null;
        if (vni < 1 || vni > 0xFFFFFF) {
            problem = "the VXLAN id must be 1 to 16777215";
        } else if (!Cidr.isAddress(local) || !Cidr.isAddress(remote)) {
            problem = "both ends must be IPv4 addresses (IpRoutes.routeTo gives this host's end and underlay)";
        } else {
            try {
                NetworkNames.interfaceName(link);
                NetworkNames.interfaceName(underlay);
            } catch (IllegalArgumentException e) {
                problem = e.getMessage() + " (Names.tunnelLink gives a link name)";
            }
        }
        if (problem != null) {
            throw new IllegalArgumentException("cannot add " + what + ": " + problem);
        }
    }
}
