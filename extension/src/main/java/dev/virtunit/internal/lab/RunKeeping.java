package dev.virtunit.internal.lab;

import dev.virtunit.Bridge;
import dev.virtunit.LabConfig;
import dev.virtunit.Network;
import dev.virtunit.Upstream;
import dev.virtunit.internal.net.HostNetworking;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * What a run keeps for inspection, and until when: single bridges, upstreams and networks a failed test's class
 * used, or everything when the lab closes with cleanup {@code never}, {@code on-success} after a failure, or anything
 * kept. The time to live starts at the first keep, so every log line and the run record name the same instant.
 */
final class RunKeeping {

    /** The lab's logger: "kept for inspection" has always been a LabSession line, and log filters name it. */
    private static final Logger LOG = LoggerFactory.getLogger(LabSession.class);

    private final LabConfig config;
    private final String run;
    private final HostNetworking hostNetworking;
    private final HostTopology hostTopology;
    private final LibvirtNetworks networks;
    /** Marks the run kept on its host too: a remote host's lease (nothing on this machine). */
    private final Consumer<Instant> keptOnHost;
    private Instant keptUntil;

    RunKeeping(LabConfig config, String run, HostNetworking hostNetworking, HostTopology hostTopology,
            LibvirtNetworks networks, Consumer<Instant> keptOnHost) {
        this.keptOnHost = keptOnHost;
        this.config = config;
        this.run = run;
        this.hostNetworking = hostNetworking;
        this.hostTopology = hostTopology;
        this.networks = networks;
    }

    String keep(Bridge bridge) {
        hostTopology.keep(bridge);
        keptUntil();
        return InspectionNotes.bridge(bridge);
    }

    String keep(Upstream upstream) {
        hostTopology.keep(upstream);
        keptUntil();
        return InspectionNotes.upstream(upstream);
    }

    String keep(Network network) {
        networks.keep(network);
        keptUntil();
        return InspectionNotes.network(network, config.libvirtUri());
    }

    /**
     * Until when what this run keeps stays: {@code virtunit.keep.ttl} from the first keep (or from the close that
     * keeps everything), written to the run record when the lab closes; a later run's sweep removes it after that.
     */
    synchronized Instant keptUntil() {
        if (keptUntil == null) {
            keptUntil = Instant.now().plus(config.keepTtl());
        }
        return keptUntil;
    }

    String keptUntilNote() {
        return InspectionNotes.keptUntil(run, keptUntil(), config.keepTtl());
    }

    /** Whether anything of the lab was kept one by one (a guest, a bridge, an upstream, a network). */
    boolean anythingKept(List<LabGuest> guests) {
        return guests.stream().anyMatch(LabGuest::isKept) || hostTopology.anyKept() || networks.anyKept();
    }

    /**
     * Keeps it all (what is kept may need any of it: the pool, the default network, subnet leases), marks the run
     * kept until {@link #keptUntil()} so that no sweep removes it before, and logs how to reach what nobody described
     * yet. Returns the record as marked.
     */
    RunRecord keepEverything(RunRecord record, List<LabGuest> guests) {
        Instant until = keptUntil();
        RunRecord kept = record.markKept(Duration.between(Instant.now(), until));
        keptOnHost.accept(until);
        // A kept NAT must go on forwarding after this JVM exits, until the same time.
        hostNetworking.forwarding().keepOpenLeasesUntil(until, run);
        List<String> undescribed = new ArrayList<>();
        for (LabGuest guest : guests) {
            if (!guest.isKept()) {
                // Kept by the mode rather than one by one: keep() writes the known_hosts file its ssh line uses.
                guest.keep();
                undescribed.add(guest.howToReach());
            }
        }
        undescribed.addAll(hostTopology.describeNotKept());
        undescribed.addAll(networks.describeNotKept(config.libvirtUri()));
        StringBuilder how = new StringBuilder("virtunit kept run " + run + " for inspection (cleanup mode "
                + config.cleanup().settingValue() + ")");
        if (undescribed.isEmpty()) {
            how.append(", as described above; ").append(keptUntilNote());
        } else {
            undescribed.forEach(line -> how.append("\n  ").append(line.replace("\n", "\n  ")));
            how.append("\n  ").append(keptUntilNote());
        }
        LOG.warn(how.toString());
        return kept;
    }
}
