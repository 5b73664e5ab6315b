package dev.virtunit.internal.lab;

import dev.virtunit.internal.libvirt.Hypervisor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Removes what runs whose JVM died (killed, crashed, machine rebooted) left behind: their domains, networks and
 * storage pools, found by the run id in their names. Runs that are alive, or whose resources were kept on
 * purpose, are left alone; so is anything not ours.
 */
public final class Sweeper {

    private static final Logger LOG = LoggerFactory.getLogger(Sweeper.class);

    private final Hypervisor hypervisor;
    private final Path stateDir;

    public Sweeper(Hypervisor hypervisor, Path stateDir) {
        this.hypervisor = hypervisor;
        this.stateDir = stateDir;
    }

    /** Sweeps every abandoned run and returns what it removed, as {@code kind name} strings. */
    public List<String> sweep() {
        List<String> removed = new ArrayList<>();
        for (RunRecord record : RunRecord.all(stateDir)) {
            if (record.isAbandoned()) {
                removed.addAll(sweep(record));
            }
        }
        if (!removed.isEmpty()) {
            LOG.info("removed what dead runs left behind: {}", removed);
        }
        return removed;
    }

    private List<String> sweep(RunRecord record) {
        String marker = Names.runMarker(record.run());
        List<String> removed = new ArrayList<>();
        Teardown teardown = new Teardown();
        // Teardown runs newest first: pools last, after the domains that use them.
        for (String pool : hypervisor.poolNames()) {
            if (pool.startsWith(marker)) {
                teardown.register("pool " + pool, () -> hypervisor.removePool(pool));
                removed.add("pool " + pool);
            }
        }
        for (String network : hypervisor.networkNames()) {
            if (network.startsWith(marker)) {
                teardown.register("network " + network, () -> hypervisor.removeNetwork(network));
                removed.add("network " + network);
            }
        }
        for (String domain : hypervisor.domainNames()) {
            if (domain.startsWith(marker)) {
                teardown.register("domain " + domain, () -> {
                    hypervisor.destroyDomain(domain);
                    hypervisor.undefineDomain(domain);
                });
                removed.add("domain " + domain);
            }
        }
        teardown.register("run record " + record.run(), record::delete);
        teardown.run();
        return removed;
    }
}
