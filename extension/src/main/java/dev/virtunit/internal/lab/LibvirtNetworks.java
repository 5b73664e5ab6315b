package dev.virtunit.internal.lab;

import dev.virtunit.Cidr;
import dev.virtunit.InvalidDeclarationException;
import dev.virtunit.Network;
import dev.virtunit.NetworkSpec;
import dev.virtunit.internal.libvirt.Hypervisor;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Makes the run's libvirt networks: the ones tests declare, and the default network guests join when they declare
 * none, made when the first such guest needs it. Each is registered for teardown before it is defined.
 */
final class LibvirtNetworks {

    private final Hypervisor hypervisor;
    private final String run;
    private final Teardown teardown;
    private final SubnetChooser subnets;
    private int next;
    private DefaultNetwork defaultNetwork;
    /** The declared networks not removed yet, and not kept: what a lab closing keeping everything has to describe. */
    private final List<Network> live = new ArrayList<>();
    private boolean anyKept;

    LibvirtNetworks(Hypervisor hypervisor, String run, Teardown teardown, SubnetChooser subnets) {
        this.hypervisor = hypervisor;
        this.run = run;
        this.teardown = teardown;
        this.subnets = subnets;
    }

    /** The network guests join when they declare none: isolated, DHCP, reachable from the host. */
    synchronized DefaultNetwork defaultNetwork() {
        if (defaultNetwork == null) {
            DefaultNetwork network = new DefaultNetwork(Names.defaultNetwork(run), Names.defaultNetworkBridge(run),
                    subnets.lease());
            teardown.register("network " + network.name(), () -> hypervisor.removeNetwork(network.name()));
            hypervisor.createNetwork(network.toXml());
            defaultNetwork = network;
        }
        return defaultNetwork;
    }

    /** Defines and starts a network as {@code spec} says, its DHCP entries resolved in its subnet. */
    Network create(NetworkSpec spec) {
        String name;
        String bridge;
        synchronized (this) {
            int n = next++;
            name = Names.libvirtNetwork(run, n);
            bridge = Names.libvirtNetworkBridge(run, n);
        }
        Cidr subnet = subnets.subnetFor(spec.cidr(), "network " + name);
        for (NetworkSpec.DhcpHost host : spec.dhcpHosts()) {
            requireInside(host, subnet, name);
        }
        LabLibvirtNetwork network = new LabLibvirtNetwork(hypervisor, name, bridge, subnet, spec.mode(), spec.dhcp());
        teardown.register("network " + name, () -> hypervisor.removeNetwork(name));
        hypervisor.createNetwork(LabLibvirtNetwork.toXml(name, bridge, subnet, spec));
        synchronized (this) {
            live.add(network);
        }
        return network;
    }

    private static void requireInside(NetworkSpec.DhcpHost host, Cidr subnet, String network) {
        String address;
        try {
            address = host.addressIn(subnet);
        } catch (IllegalArgumentException e) {
            throw new InvalidDeclarationException("network " + network + ": DHCP entry " + host + ": " + e.getMessage());
        }
        if (!subnet.contains(address)) {
            throw new InvalidDeclarationException("network " + network + ": DHCP entry " + host.mac() + "=" + address
                    + " is outside its subnet " + subnet.network());
        }
    }

    /** Removes a network before the lab closes; guests on it must be gone first. Idempotent. */
    void remove(Network network) {
        synchronized (this) {
            if (!live.remove(network)) {
                // Kept for inspection, already removed, or not ours: nothing to do.
                return;
            }
        }
        hypervisor.removeNetwork(network.name());
    }

    /**
     * Keeps a declared network for inspection: {@link #remove} leaves it alone from now on, and the lab's close keeps
     * the run. Whether it is ours is the answer.
     */
    synchronized boolean keep(Network network) {
        boolean ours = live.remove(network);
        anyKept |= ours;
        return ours;
    }

    /** The declared networks neither removed nor kept, oldest first: what a picture of the topology shows. */
    synchronized List<Network> declared() {
        return List.copyOf(live);
    }

    /** The default network, if a guest needed it yet (asking must not make it). */
    synchronized Optional<DefaultNetwork> defaultNetworkIfMade() {
        return Optional.ofNullable(defaultNetwork);
    }

    synchronized boolean anyKept() {
        return anyKept;
    }

    /** The declared networks neither removed nor kept, as the "kept for inspection" log describes them. */
    synchronized List<String> describeNotKept(String libvirtUri) {
        return live.stream().map(network -> InspectionNotes.network(network, libvirtUri)).toList();
    }
}
