package dev.virtunit.internal.lab;

import dev.virtunit.Bridge;
import dev.virtunit.BridgeSpec;
import dev.virtunit.CleanupMode;
import dev.virtunit.Upstream;
import dev.virtunit.Guest;
import dev.virtunit.GuestSpec;
import dev.virtunit.HostUnavailableException;
import dev.virtunit.Lab;
import dev.virtunit.LabConfig;
import dev.virtunit.Network;
import dev.virtunit.NetworkSpec;
import dev.virtunit.Topology;
import dev.virtunit.internal.host.HostCommands;
import dev.virtunit.internal.image.FirstBootCache;
import dev.virtunit.internal.image.RestoreTemplates;
import dev.virtunit.internal.libvirt.Hypervisor;
import dev.virtunit.internal.net.HostNetworking;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The lab of one run, and the composition root of its parts: a libvirt connection, the run's storage pool and SSH
 * client key ({@link RunPool}), its guests ({@link GuestRegistry}, {@link GuestProvisioner}, {@link KvmProof}), its
 * networks ({@link SubnetChooser}, {@link LibvirtNetworks}, bridges, upstream hosts). Everything is registered for
 * teardown before it is created, and {@link TeardownAtExit} tears down whatever is left if the JVM exits without
 * closing the lab.
 */
public final class LabSession implements Lab {

    private static final Logger LOG = LoggerFactory.getLogger(LabSession.class);

    private final LabConfig config;
    private final Hypervisor hypervisor;
    private final String run;
    private final Teardown teardown = new Teardown();
    private final KvmProof kvmProof;
    private final LabGuests guests;
    private final TeardownAtExit atExit;
    private final SubnetChooser subnets;
    private final LibvirtNetworks networks;
    private final HostNetworking hostNetworking;
    private final LabHost site;
    private final HostTopology hostTopology;
    private final FirstBootBases firstBootBases;
    private final GuestRestores guestRestores;
    private final BootSlots bootSlots;
    /** How a guest's readiness is awaited; unit tests on a fake hypervisor, whose guests never answer, swap it. */
    private volatile Consumer<LabGuest> readiness = LabGuest::awaitReadyNow;
    private RunPool pool;
    private RunRecord record;
    private final Object closing = new Object();
    private boolean closed;
    private final RunKeeping keeping;

    private LabSession(LabConfig config, Hypervisor hypervisor, LabHost site) {
        this.config = config;
        this.hypervisor = hypervisor;
        this.site = site;
        Set<String> runsOnRecord = RunRecord.all(config.stateDir()).stream().map(RunRecord::run).collect(Collectors.toSet());
        this.run = Names.newRunId(runsOnRecord::contains);
        this.hostNetworking = site.networkingFor(run);
        this.kvmProof = new KvmProof(site.accelerationChooser(hypervisor::capabilitiesXml, config.cacheDir(),
                config.libvirtUri()));
        this.guests = new LabGuests(this, new GuestRegistry(run, hypervisor::domainExists), kvmProof);
        this.atExit = new TeardownAtExit(run, () -> close(true));
        this.subnets = new SubnetChooser(hypervisor, config.stateDir(), run, teardown, hostNetworking.commands(),
                cidr -> hostNetworking.routes().overlapping(cidr));
        this.networks = new LibvirtNetworks(hypervisor, run, teardown, subnets);
        this.hostTopology = new HostTopology(run, hostNetworking, subnets);
        this.firstBootBases = new FirstBootBases(this, new FirstBootCache(config.cacheDir()),
                site.localOnly("virtunit.firstboot.cache", config.firstBootCache()));
        this.guestRestores = new GuestRestores(this, new RestoreTemplates(config.cacheDir()),
                site.localOnly("virtunit.restore", GuestRestores.enabledBySetting()));
        site.uploadImagesThrough(hypervisor, config.cacheDir());
        this.bootSlots = new BootSlots(config.bootConcurrency());
        this.keeping = new RunKeeping(config, run, hostNetworking, hostTopology, networks, site::keptUntil);
    }

    /**
     * Connects to libvirt (and to a remote host, {@link LabHost#open}) and sets the run up; a host that cannot run
     * guests gives {@link HostUnavailableException}.
     */
    public static LabSession start(LabConfig config) {
        if (!config.hosts().isEmpty()) {
            return HostPool.start(config, LabSession::start);
        }
        return start(config, LabHost::connectLibvirt, LabHost.open(config));
    }

    /** As {@link #start(LabConfig)}, with the hypervisor made by {@code connector}; for tests with fakes. */
    public static LabSession start(LabConfig config, Function<String, Hypervisor> connector) {
        return start(config, connector, HostNetworking.local());
    }

    /**
     * As {@link #start(LabConfig, Function)}, with the host's programs run through {@code host}: the seam through
     * which a test fakes the host (and fails its step k) as {@code connector} fakes libvirt.
     */
    public static LabSession start(LabConfig config, Function<String, Hypervisor> connector, HostNetworking host) {
        return start(config, connector, LabHost.local(host));
    }

    /** As {@link #start(LabConfig, Function, HostNetworking)} on {@code site}, which the lab closes last. */
    static LabSession start(LabConfig config, Function<String, Hypervisor> connector, LabHost site) {
        LabSession lab = null;
        try {
            lab = new LabSession(config, connector.apply(config.libvirtUri()), site);
            lab.setUp();
            return lab;
        } catch (RuntimeException e) {
            try {
                if (lab == null) {
                    site.close();
                } else {
                    lab.close();
                }
            } catch (RuntimeException teardownFailure) {
                e.addSuppressed(teardownFailure);
            }
            throw e;
        }
    }

    private void setUp() {
        // Registered first, so it closes last: the teardown of the host side runs through it.
        teardown.register("connection to " + site.where(), site::close);
        teardown.register("libvirt connection", hypervisor::close);
        site.sweeper(hypervisor, config.stateDir()).sweep();
        record = RunRecord.create(config.stateDir(), run);
        teardown.register("run record " + run, () -> record.delete());
        site.leaseFor(run, teardown);
        atExit.install();
        pool = RunPool.create(hypervisor, config.stateDir(), run, teardown, hostNetworking.files(), site.isRemote());
        LOG.info("virtunit run {} on {}; pool {}", run, config.libvirtUri(), pool.dir());
    }

    @Override
    public String runId() {
        return run;
    }

    @Override
    public LabConfig config() {
        return config;
    }

    Hypervisor hypervisor() {
        return hypervisor;
    }

    HostCommands host() {
        return hostNetworking.commands();
    }

    HostNetworking hostNetworking() {
        return hostNetworking;
    }

    /**
     * Whether the guests run on another machine than this JVM's: a remote libvirt URI, reached over SSH.
     *
     * @since 0.4
     */
    public boolean isRemote() {
        return site.isRemote();
    }

    /** This machine, or the remote host with this machine's own programs beside it. */
    LabHost site() {
        return site;
    }

    /** Where guests' disks start: an image's warmed first boot, or the image. */
    FirstBootBases firstBootBases() {
        return firstBootBases;
    }

    /** Which guests are restored from a saved template instead of booting ({@code virtunit.restore}). */
    GuestRestores guestRestores() {
        return guestRestores;
    }

    /** How many guests boot at once; the rest queue. */
    BootSlots bootSlots() {
        return bootSlots;
    }

    Consumer<LabGuest> readiness() {
        return readiness;
    }

    /** For unit tests on a fake hypervisor: how guests' readiness is awaited (no network for guests that are not). */
    void readiness(Consumer<LabGuest> check) {
        this.readiness = check;
    }

    /** The guests that exist, oldest first; in a lab over a pool, the other hosts' after the home's. */
    List<LabGuest> guests() {
        return guests.all();
    }

    /** How the lab chooses KVM on its host ({@link KvmUsability} asks it too, rather than the host again). */
    KvmProof kvmProof() {
        return kvmProof;
    }

    /** The lab's guests: where they are placed and created, and their removal. */
    LabGuests labGuests() {
        return guests;
    }

    /** The bridges and upstream hosts that exist (neither removed nor kept). */
    HostTopology hostTopology() {
        return hostTopology;
    }

    /** The declared libvirt networks and the default network. */
    LibvirtNetworks libvirtNetworks() {
        return networks;
    }

    @Override
    public Topology topology() {
        return TopologyPicture.of(this);
    }

    /** The run's storage pool and SSH client key. */
    RunPool pool() {
        return pool;
    }

    @Override
    public Guest guest(GuestSpec spec) {
        LabGuest guest = create(spec, "guest");
        guest.awaitReady();
        return guest;
    }

    @Override
    public List<Guest> guests(List<GuestSpec> specs) {
        return guests.createAll(specs);
    }

    /**
     * Defines a guest and starts it when a boot slot is free ({@link BootSlots}: at once, or queued), without waiting
     * for it, so that several can boot at once; {@code label} names it when the spec does not
     * ({@code vu-<run>-<label>}). Call {@link LabGuest#awaitReady()} next.
     */
    public LabGuest create(GuestSpec spec, String label) {
        return guests.create(spec, label);
    }

    /** Removes a bridge (and its NAT) before the lab closes; guests on it must be gone first. Idempotent. */
    public void remove(Bridge bridge) {
        guests.pool().ifPresent(pool -> pool.bridgeRemoved(bridge));
        hostTopology.remove(bridge);
    }

    /** Removes an upstream host before the lab closes. Idempotent. */
    public void remove(Upstream upstream) {
        hostTopology.remove(upstream);
    }

    /** The network guests join when they declare none: isolated, DHCP, reachable from the host. */
    DefaultNetwork defaultNetwork() {
        return networks.defaultNetwork();
    }

    @Override
    public Bridge bridge(BridgeSpec spec) {
        return hostTopology.bridge(spec);
    }

    @Override
    public Network network(NetworkSpec spec) {
        return networks.create(spec);
    }

    /** Removes a libvirt network before the lab closes; guests on it must be gone first. Idempotent. */
    public void remove(Network network) {
        networks.remove(network);
    }

    @Override
    public Upstream upstream() {
        return hostTopology.upstream();
    }

    @Override
    public void remove(Guest guest) {
        guests.remove(guest);
    }

    /**
     * Removes guests of this lab together, domains first ({@link GuestRemoval}); others are ignored.
     * @since 0.3
     */
    public void remove(List<? extends Guest> toRemove) {
        guests.remove(toRemove);
    }

    /**
     * Keeps a bridge (and its NAT) for inspection: the lab's close leaves it, and with it the run, in place until the
     * run's time to live is over. Returns what it is and how to look at it, for the log.
     */
    public String keep(Bridge bridge) {
        guests.pool().ifPresent(pool -> pool.bridgeKept(bridge));
        return keeping.keep(bridge);
    }

    /** Keeps an upstream host for inspection, as {@link #keep(Bridge)}. */
    public String keep(Upstream upstream) {
        return keeping.keep(upstream);
    }

    /** Keeps a libvirt network for inspection, as {@link #keep(Bridge)}. */
    public String keep(Network network) {
        return keeping.keep(network);
    }

    /** Until when what this run keeps stays ({@link RunKeeping#keptUntil()}). */
    public Instant keptUntil() {
        return keeping.keptUntil();
    }

    /** The closing line of a "kept for inspection" log: until when, and how to remove it all sooner. */
    public String keptUntilNote() {
        return keeping.keptUntilNote();
    }

    @Override
    public void close() {
        close(true);
    }

    @Override
    public void close(boolean succeeded) {
        closeKeeping(succeeded, false);
    }

    /**
     * Closes the lab as {@link #close(boolean)} does, keeping everything with {@code keepAll} (a pool's home keeps
     * everything, and this host's guests use its bridges); returns whether anything was kept.
     */
    boolean closeKeeping(boolean succeeded, boolean keepAll) {
        // Held for the whole close: a second caller waits until the first is done. The shutdown hook may come while
        // the main thread is closing (SIGTERM closes the pipes of a forked JVM, whose main then ends); returning at
        // once would let the JVM halt half-way through the teardown.
        synchronized (closing) {
            if (closed) {
                return false;
            }
            closed = true;
            try {
                return closeOnce(succeeded, keepAll);
            } finally {
                // Only now: removed earlier, a SIGTERM during the close would find no hook and halt the JVM at once.
                atExit.remove();
            }
        }
    }

    private boolean closeOnce(boolean succeeded, boolean keepAll) {
        List<LabGuest> remaining = guests.here();
        boolean keep = keepAll || config.cleanup() == CleanupMode.NEVER
                || (config.cleanup() == CleanupMode.ON_SUCCESS && !succeeded);
        // Without a run record (setting up failed) there is nothing a person could use: remove what there is.
        boolean keepHere = record != null && (keep || keeping.anythingKept(remaining));
        // The other hosts' guests use this host's bridges: they close first, and what they keep needs those.
        if (guests.pool().isPresent() && guests.pool().get().closeOtherHosts(succeeded, keepHere)) {
            keepHere = record != null;
        }
        if (keepHere) {
            record = keeping.keepEverything(record, remaining);
            // Release the connection only; everything else stays.
            teardown.abandon();
            hypervisor.close();
            site.close();
            return true;
        }
        // Newest first: guests (domains destroyed together), then the bridges they plug into, then the upstreams.
        Teardown guestsFirst = new Teardown();
        hostTopology.moveTo(guestsFirst);
        guestsFirst.register("guests", () -> GuestRemoval.together(hypervisor, remaining));
        Teardown.runInOrder(guestsFirst, teardown);
        return false;
    }
}
