package dev.virtunit.internal.lab;

import dev.virtunit.Cidr;
import dev.virtunit.InvalidDeclarationException;
import dev.virtunit.internal.host.HostCommands;
import dev.virtunit.internal.libvirt.Hypervisor;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Where each test network goes: the subnet a test declared, refused when the host already routes it (a test network
 * there would cut the host off), or a free /24 leased for the run, released at teardown.
 */
final class SubnetChooser {

    private final Hypervisor hypervisor;
    private final Path stateDir;
    private final String run;
    private final Teardown teardown;
    private final HostCommands host;
    private final Function<Cidr, List<String>> overlappingRoutes;

    /** {@code overlappingRoutes} gives the host's routes that share addresses with a subnet. */
    SubnetChooser(Hypervisor hypervisor, Path stateDir, String run, Teardown teardown, HostCommands host,
                  Function<Cidr, List<String>> overlappingRoutes) {
        this.hypervisor = hypervisor;
        this.stateDir = stateDir;
        this.run = run;
        this.teardown = teardown;
        this.host = host;
        this.overlappingRoutes = overlappingRoutes;
    }

    /** The declared subnet, checked against the host's routes, or a leased free /24; {@code what} names it in errors. */
    Cidr subnetFor(Optional<String> declared, String what) {
        if (declared.isEmpty()) {
            return Cidr.parse(lease().cidr());
        }
        // The spec checked its form when it was made.
        Cidr cidr = Cidr.parse(declared.get()).network();
        List<String> overlapping = overlappingRoutes.apply(cidr);
        if (!overlapping.isEmpty()) {
            throw new InvalidDeclarationException(what + ": cidr " + cidr + " overlaps the host's route '"
                    + overlapping.get(0).strip() + "'; a test network there would cut the host off. Leave cidr out so "
                    + "virtunit picks a free subnet, or pick one no route uses");
        }
        return cidr;
    }

    /** A free /24 for this run, avoiding the host's routes and every libvirt network; released at teardown. */
    SubnetLease lease() {
        List<String> networkXml = new ArrayList<>();
        for (String network : hypervisor.networkNames()) {
            networkXml.add(hypervisor.networkXml(network));
        }
        SubnetLease lease = SubnetLease.acquire(stateDir, run, networkXml, host);
        teardown.register("subnet lease " + lease.cidr(), lease::release);
        return lease;
    }
}
