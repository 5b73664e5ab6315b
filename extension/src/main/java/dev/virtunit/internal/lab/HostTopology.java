package dev.virtunit.internal.lab;

import dev.virtunit.Bridge;
import dev.virtunit.BridgeSpec;
import dev.virtunit.Cidr;
import dev.virtunit.Upstream;
import dev.virtunit.internal.net.HostNetworking;
import dev.virtunit.internal.net.IpLinks;
import dev.virtunit.internal.net.UpstreamNamespace;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The part of a run's topology that lives in the host's own networking rather than in libvirt: bridges (with their
 * gateway and NAT) and upstream hosts (namespaces playing the outside world). Each is made through
 * {@link HostNetworking}, so a unit test can hand it a fake that records every command.
 */
final class HostTopology {

    private final String run;
    private final HostNetworking host;
    private final SubnetChooser subnets;
    private final List<LabBridge> bridges = new ArrayList<>();
    private final List<LabUpstream> upstreams = new ArrayList<>();
    /** Whether a bridge or upstream was kept for inspection (it is then in neither list: nothing here removes it). */
    private boolean anyKept;
    private int nextBridge;
    private int nextUpstream;
    /** The MTU of every bridge made from now on ({@link #linkMtu}). */
    private volatile int linkMtu = LabBridge.ETHERNET_MTU;

    HostTopology(String run, HostNetworking host, SubnetChooser subnets) {
        this.run = run;
        this.host = host;
        this.subnets = subnets;
    }

    /**
     * Sets the MTU of the bridges made from now on (their devices, gateway veths and guests' NICs): below 1500 when a
     * bridge of this lab may be joined to another host's by a tunnel (1450 for VXLAN over a 1500-byte underlay), so
     * that guests send nothing the tunnel cannot carry. 1500, the default, adds no command and no XML. Set by a lab
     * spanning hosts right after it starts, before any bridge.
     */
    void linkMtu(int mtu) {
        if (mtu < IpLinks.MIN_MTU || mtu > LabBridge.ETHERNET_MTU) {
            throw new IllegalArgumentException("link MTU " + mtu + " of the bridges of run " + run + ": expected "
                    + IpLinks.MIN_MTU + " to " + LabBridge.ETHERNET_MTU + " (1450 leaves a VXLAN tunnel its 50 bytes)");
        }
        linkMtu = mtu;
    }

    /** The MTU of the bridges made from now on. */
    int linkMtu() {
        return linkMtu;
    }

    Bridge bridge(BridgeSpec spec) {
        int n = nextBridgeNumber();
        String name = Names.bridgeDevice(run, n);
        Cidr subnet = subnets.subnetFor(spec.cidr(), "bridge " + name);
        return added(LabBridge.create(spec, name, Names.natTable(run, n), subnet, run, host, linkMtu));
    }

    /**
     * An extension of {@code home}, a bridge of another host's lab, on this lab's host ({@link BridgeExtension}):
     * named and removed as this lab's bridges are, on home's subnet (neither leased nor checked against this host's
     * routes here: the subnet is home's lab's), with {@code hostAddress} (a CIDR of home's subnet the caller claimed)
     * on its device, the link MTU, no NAT. Join it to home with {@link LabBridge#addTunnel} on both.
     */
    LabBridge extension(LabBridge home, String hostAddress) {
        int n = nextBridgeNumber();
        return added(BridgeExtension.create(home, Names.bridgeDevice(run, n), Names.natTable(run, n), hostAddress, run,
                host, linkMtu));
    }

    private synchronized int nextBridgeNumber() {
        return nextBridge++;
    }

    private synchronized LabBridge added(LabBridge bridge) {
        bridges.add(bridge);
        return bridge;
    }

    /** An upstream host on a /24 of its own: the host's end of the uplink is .1, the upstream .2. */
    Upstream upstream() {
        int n;
        synchronized (this) {
            n = nextUpstream++;
        }
        String name = Names.upstreamNamespace(run, n);
        Cidr subnet = subnets.subnetFor(Optional.empty(), "upstream " + name);
        String prefix = "/" + subnet.prefixLength();
        int network = subnet.network().address();
        LabUpstream upstream = new LabUpstream(UpstreamNamespace.start(host, name,
                Cidr.format(network + 1) + prefix, Cidr.format(network + 2) + prefix));
        synchronized (this) {
            upstreams.add(upstream);
        }
        return upstream;
    }

    /** Removes a bridge (and its NAT) now; guests on it must be gone first. Idempotent; ignores bridges not ours. */
    void remove(Bridge bridge) {
        boolean ours;
        synchronized (this) {
            ours = bridges.remove(bridge);
        }
        if (ours) {
            ((LabBridge) bridge).remove();
        }
    }

    /** Removes an upstream host now. Idempotent; ignores upstreams not ours. */
    void remove(Upstream upstream) {
        boolean ours;
        synchronized (this) {
            ours = upstreams.remove(upstream);
        }
        if (ours) {
            ((LabUpstream) upstream).remove();
        }
    }

    /**
     * Keeps a bridge (with its NAT) for inspection: from now on nothing here removes it. Whether it is ours is the
     * answer; one not ours is left alone.
     */
    synchronized boolean keep(Bridge bridge) {
        return keep(bridges.remove(bridge));
    }

    /** Keeps an upstream host for inspection, as {@link #keep(Bridge)}. */
    synchronized boolean keep(Upstream upstream) {
        return keep(upstreams.remove(upstream));
    }

    private boolean keep(boolean ours) {
        anyKept |= ours;
        return ours;
    }

    /** The bridges neither removed nor kept, oldest first: what a picture of the topology shows. */
    synchronized List<LabBridge> bridges() {
        return List.copyOf(bridges);
    }

    /** The upstream hosts neither removed nor kept, oldest first. */
    synchronized List<LabUpstream> upstreams() {
        return List.copyOf(upstreams);
    }

    synchronized boolean anyKept() {
        return anyKept;
    }

    /** What a lab that closes keeping everything keeps without anyone having described it yet: the rest. */
    synchronized List<String> describeNotKept() {
        List<String> lines = new ArrayList<>();
        upstreams.forEach(upstream -> lines.add(InspectionNotes.upstream(upstream)));
        bridges.forEach(bridge -> lines.add(InspectionNotes.bridge(bridge)));
        return lines;
    }

    /**
     * Hands every remaining bridge and upstream to {@code teardown} and forgets them: upstreams registered first, so
     * that, run newest first, bridges (whose NAT points at an upstream) go before the upstreams.
     */
    synchronized void moveTo(Teardown teardown) {
        upstreams.forEach(upstream -> teardown.register("upstream " + upstream.name(), upstream::remove));
        bridges.forEach(bridge -> teardown.register("bridge " + bridge.name(), bridge::remove));
        upstreams.clear();
        bridges.clear();
    }
}
