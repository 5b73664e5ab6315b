package dev.virtunit.internal.lab;

import dev.virtunit.Bridge;
import dev.virtunit.Network;
import dev.virtunit.Upstream;
import dev.virtunit.internal.text.ShellQuoting;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * The lines of the "kept for inspection" log for what is not a guest: what each kept bridge, network or upstream is,
 * and commands that look at it without changing it, ready to paste; and until when the run's objects stay.
 */
public final class InspectionNotes {

    private InspectionNotes() {
    }

    /** {@code OVS bridge vu1a2b3cb0 192.168.77.0/24, gateway ... on ..., NAT table ip ...: <commands>}. */
    static String bridge(Bridge bridge) {
        String kind = bridge.kind() == Bridge.Kind.OVS ? "OVS bridge " : "Linux bridge ";
        StringBuilder what = new StringBuilder(kind).append(bridge.name()).append(' ').append(bridge.cidr());
        List<List<String>> commands = new ArrayList<>();
        commands.add(bridge.kind() == Bridge.Kind.OVS ? List.of("ovs-vsctl", "list-ports", bridge.name())
                : List.of("ip", "-br", "link", "show", "master", bridge.name()));
        if (!bridge.gateway().isEmpty()) {
            what.append(", gateway ").append(bridge.gateway()).append(" on ").append(bridge.gatewayInterface());
            commands.add(List.of("ip", "-br", "addr", "show", "dev", bridge.gatewayInterface()));
        }
        if (!bridge.natTable().isEmpty()) {
            what.append(", NAT table ip ").append(bridge.natTable());
            commands.add(List.of("nft", "list", "table", "ip", bridge.natTable()));
        }
        return what + ": " + joined(commands);
    }

    /** {@code libvirt network vu-1a2b3c-lnet0 (NAT, 192.168.80.0/24, bridge vu1a2b3cl0): <commands>}. */
    static String network(Network network, String libvirtUri) {
        return "libvirt network " + network.name() + " (" + network.mode() + ", " + network.cidr() + ", bridge "
                + network.bridge() + "): " + joined(List.of(
                List.of("virsh", "-c", libvirtUri, "net-dumpxml", network.name()),
                List.of("ip", "-br", "addr", "show", "dev", network.bridge())));
    }

    /** {@code upstream host vu1a2b3cu0 at 192.168.79.2 (a network namespace; host end ...): <commands>}. */
    static String upstream(Upstream upstream) {
        return "upstream host " + upstream.name() + " at " + upstream.address() + " (a network namespace; host end "
                + upstream.uplinkInterface() + " " + upstream.hostAddress() + "): " + joined(List.of(
                List.of("ip", "netns", "exec", upstream.name(), "ip", "-br", "addr"),
                List.of("ip", "-br", "addr", "show", "dev", upstream.uplinkInterface())));
    }

    /**
     * When the run's kept objects go, and how to remove them sooner: the three name forms of one run (libvirt
     * objects and files, Linux interfaces and namespaces, nftables tables), guests first.
     */
    public static String keptUntil(String run, Instant until, Duration ttl) {
        return "kept until " + until.truncatedTo(ChronoUnit.SECONDS) + " (virtunit.keep.ttl " + ttl
                + "); a later run removes it after that, or now: " + joined(List.of(
                List.of("scripts/check-leftovers", "--remove", "--prefix", Names.runMarker(run)),
                List.of("scripts/check-leftovers", "--remove", "--prefix", "vu" + run),
                List.of("scripts/check-leftovers", "--remove", "--prefix", "vu_" + run + "_")));
    }

    private static String joined(List<List<String>> commands) {
        return String.join("; ", commands.stream().map(ShellQuoting::join).toList());
    }
}
