package dev.virtunit.internal.lab;

import dev.virtunit.Bridge;
import dev.virtunit.HostUnavailableException;
import dev.virtunit.InvalidDeclarationException;
import dev.virtunit.Segment;
import dev.virtunit.internal.net.IpLinks;
import dev.virtunit.internal.net.TunnelIdTakenException;
import dev.virtunit.internal.net.UnderlayRoute;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Bridges that span the hosts of a pool: a home bridge whose guest sits on another host is continued there by a bridge
 * of the same kind on the same subnet ({@link HostTopology#extension}), joined to the home bridge by a kernel VXLAN
 * tunnel between the two hosts (a star around the home, so the segment has no loop). Every bridge of a lab over several
 * hosts gets the MTU that leaves room for VXLAN's 50 bytes on the narrowest underlay, and its guests' NICs with it, so
 * TCP across hosts is never fragmented. NAT and the upstreams stay at home; a guest elsewhere routes through the
 * tunnel to the home bridge's gateway, so its traffic reaches the upstream as any home guest's does.
 */
final class SpanningSegments {

    private static final Logger LOG = LoggerFactory.getLogger(SpanningSegments.class);

    /** How often a tunnel id is drawn again when one end already has a tunnel with it. */
    private static final int TUNNEL_ID_ATTEMPTS = 5;

    private final PoolMember home;
    private final List<PoolMember> members;
    private final Random random = new SecureRandom();
    /** Each other host's tunnel ends: the home's end first. */
    private final Map<PoolMember, Ends> ends = new HashMap<>();
    /** Home bridge → its continuation per other host. */
    private final Map<LabBridge, Map<PoolMember, LabBridge>> continuations = new LinkedHashMap<>();

    /** The two ends of the tunnels between the home and one other host: each host's address and underlay device. */
    record Ends(UnderlayRoute home, UnderlayRoute other) {
    }

    SpanningSegments(PoolMember home, List<PoolMember> members) {
        this.home = home;
        this.members = members;
    }

    /**
     * Finds each other host's tunnel ends ({@code ip route get}, which sends nothing) and gives every lab of the pool
     * the MTU left on the narrowest underlay; a pool of one host changes nothing.
     */
    void prepare() {
        if (members.size() < 2) {
            return;
        }
        int narrowest = Integer.MAX_VALUE;
        for (PoolMember other : members.subList(1, members.size())) {
            Ends found = endsBetween(home, other);
            ends.put(other, found);
            narrowest = Math.min(narrowest, Math.min(mtu(home, found.home().device()),
                    mtu(other, found.other().device())));
        }
        // A jumbo underlay leaves guests the plain Ethernet MTU, the most virtunit sets.
        int linkMtu = Math.min(narrowest - IpLinks.VXLAN_OVERHEAD, IpLinks.MAX_MTU);
        members.forEach(member -> member.lab().hostTopology().linkMtu(linkMtu));
        LOG.info("bridges of this lab span hosts through VXLAN: their MTU is {} (the narrowest underlay's {} less {} "
                + "bytes of VXLAN), for guests' NICs too", linkMtu, narrowest, IpLinks.VXLAN_OVERHEAD);
    }

    private static Ends endsBetween(PoolMember home, PoolMember other) {
        if (other.lab().isRemote()) {
            UnderlayRoute homeSide = home.lab().hostNetworking().routes().routeTo(address(other));
            return new Ends(homeSide, other.lab().hostNetworking().routes().routeTo(homeSide.source()));
        }
        // The other host is this machine and the home is remote: the home's address is the one known here.
        UnderlayRoute otherSide = other.lab().hostNetworking().routes().routeTo(address(home));
        return new Ends(home.lab().hostNetworking().routes().routeTo(otherSide.source()), otherSide);
    }

    /** A remote pool host's IPv4 address, as this machine resolves the name it logs in to. */
    private static String address(PoolMember member) {
        String name = member.lab().site().remoteHostName().orElseThrow();
        try {
            for (InetAddress address : InetAddress.getAllByName(name)) {
                if (address instanceof Inet4Address) {
                    return address.getHostAddress();
                }
            }
        } catch (UnknownHostException e) {
            throw new HostUnavailableException("pool host " + member.host().name() + ": its name " + name
                    + " does not resolve here (" + e.getMessage() + "), and its bridges' tunnels need its address", e);
        }
        throw new HostUnavailableException("pool host " + member.host().name() + ": " + name + " has no IPv4 "
                + "address, and virtunit's VXLAN tunnels between hosts run over IPv4", null);
    }

    private static int mtu(PoolMember member, String device) {
        return member.lab().hostNetworking().links().mtu(device);
    }

    /**
     * The segment a guest on {@code member} plugs into for {@code segment}: a home bridge continued on that host (made
     * on first use), anything else as it is; a libvirt network of the home cannot reach another host.
     */
    Segment segmentOn(PoolMember member, Segment segment) {
        if (member == home) {
            return segment;
        }
        if (segment instanceof LabLibvirtNetwork network) {
            throw new InvalidDeclarationException("a guest placed on pool host " + member.host().name() + " has a NIC "
                    + "on libvirt network " + network.name() + ", which lives on the home host "
                    + home.host().name() + " and does not span hosts: declare host = \"" + home.host().name()
                    + "\" for the guest, or put the NIC on a bridge (@OvsBridge/@LinuxBridge), which spans hosts");
        }
        if (!(segment instanceof LabBridge bridge) || !home.lab().hostTopology().bridges().contains(bridge)) {
            return segment;
        }
        synchronized (this) {
            Map<PoolMember, LabBridge> byHost = continuations.computeIfAbsent(bridge, b -> new HashMap<>());
            LabBridge continued = byHost.get(member);
            if (continued == null) {
                continued = continueOn(bridge, member);
                byHost.put(member, continued);
            }
            return continued;
        }
    }

    private LabBridge continueOn(LabBridge bridge, PoolMember member) {
        // The other host's own address on the segment: it reaches its guests through it (readiness, SSH).
        LabBridge continued = member.lab().hostTopology().extension(bridge, bridge.addresses().next());
        try {
            join(bridge, continued, member);
        } catch (RuntimeException e) {
            try {
                member.lab().remove(continued);
            } catch (RuntimeException removal) {
                e.addSuppressed(removal);
            }
            throw e;
        }
        LOG.info("bridge {} spans to {}: {} there, VXLAN between {} and {}", bridge.name(), member.host().name(),
                continued.name(), ends.get(member).home().source(), ends.get(member).other().source());
        return continued;
    }

    /** Joins the two bridges by a tunnel whose id neither host uses yet (drawn again if one does). */
    private void join(LabBridge bridge, LabBridge continued, PoolMember member) {
        Ends between = ends.get(member);
        String homeLink = Names.tunnelLink(bridge.name(), members.indexOf(member));
        String otherLink = Names.tunnelLink(continued.name(), 0);
        List<String> taken = new ArrayList<>();
        for (int attempt = 0; attempt < TUNNEL_ID_ATTEMPTS; attempt++) {
            int vni = 1 + random.nextInt(0xFFFFFE);
            Teardown homeEnd;
            try {
                homeEnd = bridge.addTunnel(homeLink, vni, between.home().source(), between.other().source(),
                        between.home().device());
            } catch (TunnelIdTakenException e) {
                taken.add(vni + " on " + home.host().name());
                continue;
            }
            try {
                continued.addTunnel(otherLink, vni, between.other().source(), between.home().source(),
                        between.other().device());
                return;
            } catch (TunnelIdTakenException e) {
                // The home end would deliver frames to whatever uses that id there: it goes before the next id.
                taken.add(vni + " on " + member.host().name());
                homeEnd.run();
            } catch (RuntimeException e) {
                try {
                    homeEnd.run();
                } catch (RuntimeException removal) {
                    e.addSuppressed(removal);
                }
                throw e;
            }
        }
        throw new HostUnavailableException("cannot join bridge " + bridge.name() + " to pool host "
                + member.host().name() + ": every VXLAN id drawn was taken (" + String.join(", ", taken) + ")", null);
    }

    /** A home bridge is removed: its continuations go (with their tunnels) before it. */
    void remove(Bridge bridge) {
        forget(bridge).forEach((member, continued) -> member.lab().remove(continued));
    }

    /** A home bridge is kept for inspection: so are its continuations. */
    void keep(Bridge bridge) {
        forget(bridge).forEach((member, continued) -> member.lab().keep(continued));
    }

    /** The continuations of {@code bridge} per host, no longer this pool's to look after. */
    private synchronized Map<PoolMember, LabBridge> forget(Bridge bridge) {
        Map<PoolMember, LabBridge> byHost = continuations.remove(bridge);
        return byHost == null ? Map.of() : byHost;
    }
}
