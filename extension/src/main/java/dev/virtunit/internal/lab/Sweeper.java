package dev.virtunit.internal.lab;

import dev.virtunit.internal.host.FileTrees;
import dev.virtunit.internal.host.HostFolder;
import dev.virtunit.internal.host.ProcessOwner;
import dev.virtunit.internal.host.RunLease;
import dev.virtunit.internal.libvirt.Hypervisor;
import dev.virtunit.internal.net.HostNetworking;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Removes what runs whose JVM died (killed, crashed, machine rebooted) left behind, of every kind: domains, storage
 * pools with their volumes and directory, libvirt networks, Open vSwitch bridges and ports, Linux bridges and veths,
 * network namespaces with the processes in them, nftables tables, subnet leases, and last the run record. Every
 * object names its run ({@link Names}), which is how it is found.
 *
 * <p>Which runs are swept:
 * <ul>
 *   <li>a run whose record says {@link RunRecord#isAbandoned() abandoned}: its process is gone (same pid, same start
 *       time), the machine rebooted, or it was kept on purpose and its time to live is over;</li>
 *   <li>a run id found on objects but with no record in this state directory, only when the objects themselves prove
 *       the owner dead: a domain's {@code <metadata>} and an Open vSwitch bridge's {@code external_ids} carry the
 *       owning pid, and every such pid is gone. The record is written before anything is created, so objects without
 *       one come from a run whose teardown failed after deleting it, or whose record someone removed; but they may
 *       equally belong to a live run of another state directory (a unit test's temporary one, a user's
 *       {@code virtunit.state.dir}). No grace period can tell those apart, a dead owner can: without an owner mark
 *       (a run that left only links, namespaces or tables) the run is left alone and reported, for
 *       {@code scripts/check-leftovers --remove}.</li>
 * </ul>
 * Live runs, runs kept within their time to live, and anything whose name carries no run id are never touched.
 *
 * <p>A pid means something only on the machine that ran the test: objects name their owner's machine too
 * ({@code machine} in a domain's metadata, {@code virtunit-machine} in {@code external_ids}), and an owner of another
 * machine is never judged by its pid here. On a remote host ({@link #onHost}) runs leave a {@link RunLease} there:
 * a run without a record here is judged by its lease (heartbeat stale, or kept and past its time: swept with its
 * lease and run folder; else left alone and said so with its owner); without a lease, by its objects' owner marks,
 * where only this machine's owners can be proven dead.
 * Objects are listed before records are read: a run starting meanwhile writes its record before it creates
 * anything, so each object seen has its record by the time it is looked up.
 *
 * <p>Order within a run: domains first (they hold taps on bridges and files in pools), then libvirt networks and
 * pools, then the host side ({@link HostSweep}), then leases and the pool directory, the record last. A removal that
 * fails does not stop the others; the failures are reported together, and the record then stays so that the next
 * sweep tries again.
 */
public final class Sweeper {

    private static final Logger LOG = LoggerFactory.getLogger(Sweeper.class);

    /** A run id in an object's name: libvirt {@code vu-<run>-...}, Linux {@code vu<run>...}, nftables {@code vu_<run>_...}. */
    private static final Pattern RUN_IN_NAME = Pattern.compile("vu(?:-([0-9a-f]{6})-.+|_([0-9a-f]{6})_.+|([0-9a-f]{6})[a-z0-9]+)");
    private static final Pattern OWNER_PID = Pattern.compile("pid=['\"](\\d+)['\"]");
    private static final Pattern OWNER_MACHINE = Pattern.compile("machine=['\"]([^'\"]+)['\"]");

    private final Hypervisor hypervisor;
    private final HostNetworking host;
    private final Path stateDir;
    /** The run leases' folder on a remote host; empty on this machine. */
    private final Optional<HostFolder> hostRuns;

    public Sweeper(Hypervisor hypervisor, HostNetworking host, Path stateDir) {
        this(hypervisor, host, stateDir, Optional.empty());
    }

    private Sweeper(Hypervisor hypervisor, HostNetworking host, Path stateDir, Optional<HostFolder> hostRuns) {
        this.hypervisor = hypervisor;
        this.host = host;
        this.stateDir = stateDir;
        this.hostRuns = hostRuns;
    }

    /**
     * The sweep of a remote host: {@code hypervisor} connected to it, {@code host} its networking, {@code stateDir}
     * this machine's (its run records), and the host's run leases in {@code <hostStateDir>/runs} there.
     *
     * @since 0.4
     */
    public static Sweeper onHost(Hypervisor hypervisor, HostNetworking host, Path stateDir, String hostStateDir) {
        return new Sweeper(hypervisor, host, stateDir,
                Optional.of(RunLease.runsFolder(host.files(), hostStateDir)));
    }

    /** An owner mark on an object: the pid, and the machine it is a pid of ("" when the mark predates machines). */
    record OwnerMark(long pid, String machine) {
    }

    /**
     * What a sweep did.
     *
     * @param removed  what it removed, as {@code kind name}
     * @param failures what it could not remove, each with the reason
     * @param spared   runs with objects but no record whose owner could not be proven dead, with why
     * @param unlisted kinds it could not list, with the reason (a host without Open vSwitch, say): not swept
     */
    public record Result(List<String> removed, List<String> failures, List<String> spared, List<String> unlisted) {
    }

    /** The run id an object's name carries, if it is named like one of ours. */
    static Optional<String> runOf(String name) {
        Matcher matcher = RUN_IN_NAME.matcher(name);
        if (!matcher.matches()) {
            return Optional.empty();
        }
        for (int group = 1; group <= 3; group++) {
            if (matcher.group(group) != null) {
                return Optional.of(matcher.group(group));
            }
        }
        return Optional.empty();
    }

    /** Sweeps every abandoned run; never throws for what it cannot remove, it reports and logs it. */
    public Result sweep() {
        List<String> unlisted = new ArrayList<>();
        List<String> domains = HostSweep.listed("libvirt domains", hypervisor::domainNames, unlisted);
        List<String> networks = HostSweep.listed("libvirt networks", hypervisor::networkNames, unlisted);
        List<String> pools = HostSweep.listed("libvirt storage pools", hypervisor::poolNames, unlisted);
        // Unseen domains may still use the run's files: its record stays for the next sweep. (Without Open vSwitch or
        // nftables on the host, those listings fail on every sweep and prove nothing left.)
        boolean libvirtListed = unlisted.isEmpty();
        HostSweep hostSide = HostSweep.scan(host);
        unlisted.addAll(hostSide.problems());
        Map<String, List<String>> leases = leasesByRun(unlisted);
        Map<String, RunLease.Seen> hostLeases = new LinkedHashMap<>();
        Set<String> withLeaseOrFolder = new TreeSet<>();
        Set<String> seen = new TreeSet<>(hostSide.runs());
        hostRuns.ifPresent(runs -> {
            HostSweep.listed("run leases in " + runs, () -> RunLease.all(runs), unlisted)
                    .forEach(lease -> hostLeases.put(lease.run(), lease));
            // A run's folder there (the upstream's classes) goes with the run, lease or none.
            HostSweep.listed("run folders in " + runs, runs::list, unlisted).stream()
                    .map(name -> name.endsWith(".lease") ? name.substring(0, name.length() - 6) : name)
                    .filter(name -> name.matches("[0-9a-f]{6}")).forEach(withLeaseOrFolder::add);
            seen.addAll(withLeaseOrFolder);
        });
        for (List<String> names : List.of(domains, networks, pools)) {
            names.forEach(name -> runOf(name).ifPresent(seen::add));
        }
        seen.addAll(leases.keySet());

        // Read after listing, see the class comment.
        Map<String, RunRecord> records = new LinkedHashMap<>();
        RunRecord.all(stateDir).forEach(record -> records.put(record.run(), record));
        List<String> removed = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        List<String> spared = new ArrayList<>();
        for (RunRecord record : records.values()) {
            if (record.isAbandoned()) {
                RunSweep run = new RunSweep(record.run(), domains, networks, pools, hostSide, leases.getOrDefault(record.run(), List.of()));
                run.removeAll();
                if (run.failures.isEmpty() && libvirtListed) {
                    // A kept NAT kept IP forwarding on for the run; with the run gone, so is that reason (and if this
                    // fails, the lease still ends with the run's time to live).
                    try {
                        host.forwarding().releaseKeptBy(record.run());
                    } catch (RuntimeException e) {
                        failures.add("IP forwarding kept by run " + record.run() + ": " + e.getMessage());
                    }
                    removeFromHost(run, record.run(), withLeaseOrFolder);
                    run.step("run record " + record.run(), record::delete);
                }
                removed.addAll(run.removed);
                failures.addAll(run.failures);
            } else if (hostRuns.isPresent() && record.keptUntil().isPresent() && seen.contains(record.run())) {
                spared.add("run " + record.run() + ", kept on " + hostRuns.get().where() + " until "
                        + record.keptUntil().get());
            }
        }
        for (String run : seen) {
            if (records.containsKey(run)) {
                continue;
            }
            RunLease.Seen lease = hostLeases.get(run);
            Optional<String> alive = lease != null
                    ? Optional.of(lease.describe()).filter(live -> !lease.isAbandoned())
                    : ownerAlive(run, domains, hostSide);
            if (alive.isEmpty()) {
                RunSweep orphan = new RunSweep(run, domains, networks, pools, hostSide, leases.getOrDefault(run, List.of()));
                orphan.removeAll();
                if (orphan.failures.isEmpty()) {
                    removeFromHost(orphan, run, withLeaseOrFolder);
                }
                removed.addAll(orphan.removed);
                failures.addAll(orphan.failures);
            } else {
                spared.add("run " + run + " (no record" + hostRuns.map(runs -> " here, on " + runs.where()).orElse("")
                        + "): " + alive.get());
            }
        }
        // A killed JVM never let go of IP forwarding: with no live or kept holder left, put back the host's value.
        try {
            host.forwarding().restoreIfUnheld();
        } catch (RuntimeException e) {
            failures.add("IP forwarding: cannot put back the host's value: " + e.getMessage());
        }
        Result result = new Result(List.copyOf(removed), List.copyOf(failures), List.copyOf(spared),
                List.copyOf(unlisted));
        log(result);
        return result;
    }

    /** On a remote host, the run's lease and folder there, when it has either: the run is gone. */
    private void removeFromHost(RunSweep sweep, String run, Set<String> withLeaseOrFolder) {
        hostRuns.filter(runs -> withLeaseOrFolder.contains(run)).ifPresent(runs -> sweep.step(
                "run lease and folder " + run + " in " + runs, () -> RunLease.remove(runs, run)));
    }

    /**
     * Empty when the run's owner is proven dead; else why it may be alive. Evidence: the owners in the run's domains'
     * metadata and its Open vSwitch bridges' external_ids. Only an owner of this machine can be proven dead; one of
     * another machine (a lab of another test machine on this host), or without a machine on a remote host, is left to
     * its own machine.
     */
    private Optional<String> ownerAlive(String run, List<String> domains, HostSweep hostSide) {
        List<OwnerMark> owners = new ArrayList<>(hostSide.owners(run));
        for (String domain : domains) {
            if (runOf(domain).filter(run::equals).isPresent()) {
                try {
                    hypervisor.domainMetadata(domain, DomainPlan.OWNER_NAMESPACE).ifPresent(metadata -> {
                        Matcher pid = OWNER_PID.matcher(metadata);
                        Matcher machine = OWNER_MACHINE.matcher(metadata);
                        if (pid.find()) {
                            owners.add(new OwnerMark(Long.parseLong(pid.group(1)), machine.find() ? machine.group(1) : ""));
                        }
                    });
                } catch (RuntimeException gone) {
                    // Removed meanwhile, or unreadable: no evidence either way.
                }
            }
        }
        if (owners.isEmpty()) {
            return Optional.of("no object names its owner process; scripts/check-leftovers --remove removes it");
        }
        Optional<OwnerMark> elsewhere = owners.stream().filter(owner -> hostRuns.isPresent()
                ? !owner.machine().equals(ProcessOwner.thisMachine())
                : !owner.machine().isEmpty() && !owner.machine().equals(ProcessOwner.thisMachine())).findFirst();
        if (elsewhere.isPresent()) {
            return Optional.of("owner process " + elsewhere.get().pid() + " is one of "
                    + (elsewhere.get().machine().isEmpty() ? "an unnamed machine" : "machine " + elsewhere.get().machine())
                    + ", and no lease of the run on this host says it is gone; its own machine's sweep removes it");
        }
        return owners.stream().map(OwnerMark::pid).filter(pid -> ProcessHandle.of(pid).isPresent()).findFirst()
                .map(pid -> "owner process " + pid + " is alive");
    }

    /** Lease files by the run named inside them (SubnetLease writes the run id into its file). */
    private Map<String, List<String>> leasesByRun(List<String> unlisted) {
        Map<String, List<String>> byRun = new LinkedHashMap<>();
        Path dir = stateDir.resolve("leases");
        if (!Files.isDirectory(dir)) {
            return byRun;
        }
        try (var files = Files.list(dir)) {
            for (Path lease : files.toList()) {
                try {
                    String owner = Files.readString(lease).strip();
                    if (owner.matches("[0-9a-f]{6}")) {
                        byRun.computeIfAbsent(owner, run -> new ArrayList<>()).add(lease.toString());
                    }
                } catch (IOException goneOrUnreadable) {
                    // Released meanwhile; an unreadable one names no run we could sweep.
                }
            }
        } catch (IOException e) {
            unlisted.add("cannot list subnet leases in " + dir + ": " + e.getMessage());
        }
        return byRun;
    }

    private static void log(Result result) {
        if (!result.removed().isEmpty()) {
            LOG.info("removed what dead runs left behind: {}", result.removed());
        }
        if (!result.failures().isEmpty()) {
            LOG.warn("the sweep of dead runs' leftovers could not do everything (scripts/check-leftovers lists what is "
                    + "left, --spare-live --remove removes it): {}", result.failures());
        }
        if (!result.spared().isEmpty()) {
            LOG.info("left alone, as their owners may be alive: {}", result.spared());
        }
        // A host without Open vSwitch or nftables is normal; said at debug level, it is never silent for who looks.
        if (!result.unlisted().isEmpty()) {
            LOG.debug("the sweep could not look at: {}", result.unlisted());
        }
    }

    /** The removal of one run's objects, in order, each failure collected. */
    private final class RunSweep {
        private final String run;
        private final List<String> domains;
        private final List<String> networks;
        private final List<String> pools;
        private final HostSweep hostSide;
        private final List<String> leases;
        final List<String> removed = new ArrayList<>();
        final List<String> failures = new ArrayList<>();

        RunSweep(String run, List<String> domains, List<String> networks, List<String> pools, HostSweep hostSide,
                 List<String> leases) {
            this.run = run;
            this.domains = ofRun(domains);
            this.networks = ofRun(networks);
            this.pools = ofRun(pools);
            this.hostSide = hostSide;
            this.leases = leases;
        }

        private List<String> ofRun(List<String> names) {
            return names.stream().filter(name -> runOf(name).filter(run::equals).isPresent()).toList();
        }

        void removeAll() {
            for (String domain : domains) {
                step("domain " + domain, () -> {
                    hypervisor.destroyDomain(domain);
                    hypervisor.undefineDomain(domain);
                });
            }
            networks.forEach(network -> step("network " + network, () -> hypervisor.removeNetwork(network)));
            // removePool deletes the volumes and the directory with the pool.
            pools.forEach(pool -> step("pool " + pool, () -> hypervisor.removePool(pool)));
            hostSide.remove(run, this::step);
            leases.forEach(lease -> step("subnet lease " + lease, () -> delete(Path.of(lease))));
            // A pool libvirt never defined (a crash between the directory and the pool) leaves its directory alone.
            // The client directory is this JVM's half of a run on a remote host (its SSH key, known_hosts files).
            for (Path dir : List.of(stateDir.resolve("pools").resolve(Names.pool(run)), RunPool.clientDir(stateDir, run))) {
                if (Files.exists(dir)) {
                    step((dir.startsWith(stateDir.resolve("pools")) ? "pool" : "client") + " directory " + dir, () -> {
                        try {
                            FileTrees.deleteRecursively(dir);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    });
                }
            }
        }

        void step(String what, Runnable removal) {
            try {
                removal.run();
                removed.add(what);
            } catch (RuntimeException e) {
                failures.add("cannot remove " + what + " of dead run " + run + ": " + e.getMessage());
            }
        }

        private static void delete(Path file) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
