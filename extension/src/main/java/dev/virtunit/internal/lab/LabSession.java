package dev.virtunit.internal.lab;

import dev.virtunit.Bridge;
import dev.virtunit.BridgeSpec;
import dev.virtunit.CleanupMode;
import dev.virtunit.Upstream;
import dev.virtunit.Cidr;
import dev.virtunit.Guest;
import dev.virtunit.GuestSpec;
import dev.virtunit.HostUnavailableException;
import dev.virtunit.Lab;
import dev.virtunit.LabConfig;
import dev.virtunit.VirtunitException;
import dev.virtunit.internal.libvirt.Hypervisor;
import dev.virtunit.internal.libvirt.LibvirtHypervisor;
import dev.virtunit.internal.ssh.SshKeyPair;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The lab of one run: a libvirt connection, a storage pool for the guests' overlays and seeds, the run's SSH client
 * key, and, made when the first guest needs it, a default network. Everything is registered for teardown before it
 * is created, and a JVM shutdown hook tears down whatever is left if the JVM exits without closing the lab.
 */
public final class LabSession implements Lab {

    private static final Logger LOG = LoggerFactory.getLogger(LabSession.class);

    private final LabConfig config;
    private final Hypervisor hypervisor;
    private final String run;
    private final Teardown teardown = new Teardown();
    private final SshKeyPair clientKey;
    private final Path poolDir;
    private final String poolName;
    private final Path clientKeyFile;
    private final AccelerationChooser acceleration;
    private final Map<String, LabGuest> guests = new LinkedHashMap<>();
    /** Every name this lab handed out, so a per-test guest never reuses the name of the one before (clear logs). */
    private final java.util.Set<String> namesUsed = new java.util.HashSet<>();
    private final Thread shutdownHook;
    private final List<LabBridge> bridges = new ArrayList<>();
    private final List<LabUpstream> upstreams = new ArrayList<>();
    private final List<LabLibvirtNetwork> networks = new ArrayList<>();
    private int nextNetwork;
    private final dev.virtunit.internal.net.HostNetwork linux = dev.virtunit.internal.net.HostNetwork.local();
    private int nextBridge;
    private int nextUpstream;
    private RunRecord record;
    private DefaultNetwork defaultNetwork;
    private boolean closed;

    private LabSession(LabConfig config, Hypervisor hypervisor) {
        this.config = config;
        this.hypervisor = hypervisor;
        this.run = Names.newRunId();
        this.poolName = Names.runMarker(run) + "pool";
        this.poolDir = config.stateDir().resolve("pools").resolve(poolName);
        this.clientKeyFile = poolDir.resolve("id_ed25519");
        this.clientKey = SshKeyPair.generateEd25519("virtunit@" + run);
        this.acceleration = new AccelerationChooser(Path.of("/dev/kvm"), hypervisor::capabilitiesXml,
                config.cacheDir(), AccelerationChooser.currentHostKey());
        this.shutdownHook = new Thread(this::closeFromShutdownHook, "virtunit-teardown-" + run);
    }

    /** Connects to libvirt and sets the run up; a host that cannot run guests gives {@link HostUnavailableException}. */
    public static LabSession start(LabConfig config) {
        return start(config, uri -> {
            try {
                return LibvirtHypervisor.connect(uri);
            } catch (VirtunitException e) {
                throw new HostUnavailableException("cannot use libvirt at " + uri + ": " + e.getMessage(), e);
            }
        });
    }

    /** As {@link #start(LabConfig)}, with the hypervisor made by {@code connector}; for tests with fakes. */
    public static LabSession start(LabConfig config, Function<String, Hypervisor> connector) {
        Hypervisor hypervisor = connector.apply(config.libvirtUri());
        LabSession lab = new LabSession(config, hypervisor);
        try {
            lab.setUp();
            return lab;
        } catch (RuntimeException e) {
            try {
                lab.close();
            } catch (RuntimeException teardownFailure) {
                e.addSuppressed(teardownFailure);
            }
            throw e;
        }
    }

    private void setUp() {
        teardown.register("libvirt connection", hypervisor::close);
        new Sweeper(hypervisor, config.stateDir()).sweep();
        record = RunRecord.create(config.stateDir(), run);
        teardown.register("run record " + run, () -> record.delete());
        Runtime.getRuntime().addShutdownHook(shutdownHook);

        teardown.register("pool directory " + poolDir, () -> deleteRecursively(poolDir));
        teardown.register("storage pool " + poolName, () -> hypervisor.removePool(poolName));
        try {
            // libvirt's pool-build would make it too; made here so the key below can be written whatever the driver.
            Files.createDirectories(poolDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + poolDir.getParent() + " (is " + config.stateDir()
                    + " writable? virtunit runs as root)", e);
        }
        hypervisor.createPool("""
                <pool type='dir'>
                  <name>%s</name>
                  <target><path>%s</path><permissions><mode>0711</mode></permissions></target>
                </pool>
                """.formatted(poolName, DomainPlan.text(poolDir.toString())));
        try {
            Files.writeString(clientKeyFile, clientKey.privateKeyOpenSsh());
            Files.setPosixFilePermissions(clientKeyFile, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the run's SSH key to " + clientKeyFile, e);
        }
        LOG.info("virtunit run {} on {}; pool {}", run, config.libvirtUri(), poolDir);
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

    dev.virtunit.internal.net.HostNetwork linux() {
        return linux;
    }

    SshKeyPair clientKey() {
        return clientKey;
    }

    Path clientKeyFile() {
        return clientKeyFile;
    }

    Path poolDir() {
        return poolDir;
    }

    String poolName() {
        return poolName;
    }

    @Override
    public Guest guest(GuestSpec spec) {
        LabGuest guest = create(spec, "guest");
        guest.awaitReady();
        return guest;
    }

    /**
     * Defines and starts a guest without waiting for it, so that several can boot at once; {@code label} names it
     * when the spec does not ({@code vu-<run>-<label>}). Call {@link LabGuest#awaitReady()} next.
     */
    public LabGuest create(GuestSpec spec, String label) {
        AccelerationChooser.Choice choice = acceleration.choose(spec.acceleration().orElse(config.acceleration()));
        String name = reserveName(spec, label);
        LabGuest guest;
        try {
            guest = GuestProvisioner.provision(this, spec, name, choice.domainType());
        } catch (RuntimeException e) {
            release(name);
            throw e;
        }
        synchronized (this) {
            guests.put(name, guest);
        }
        if (choice.proofPending()) {
            return proveKvm(guest, spec, label, choice);
        }
        return guest;
    }

    /** The first guest under AUTO with KVM listed: if it boots, KVM works here; if not, redo it under TCG. */
    private LabGuest proveKvm(LabGuest guest, GuestSpec spec, String label, AccelerationChooser.Choice choice) {
        try {
            guest.awaitReady();
            acceleration.recordProof(true);
            LOG.info("KVM booted {} on this host; later runs use KVM without asking", guest.name());
            return guest;
        } catch (VirtunitException e) {
            acceleration.recordProof(false);
            LOG.warn("KVM is listed on this host but {} did not boot with it ({}); using software emulation (TCG) "
                    + "from now on", guest.name(), choice.reason());
            remove(guest);
            return create(spec, label);
        }
    }

    private synchronized String reserveName(GuestSpec spec, String label) {
        if (spec.name().isPresent()) {
            String name = spec.name().get();
            if (guests.containsKey(name) || hypervisor.domainExists(name)) {
                throw new dev.virtunit.InvalidDeclarationException("Guest name '" + name + "' is already in use. "
                        + "Choose another name, leave the name out so virtunit picks a unique one, or remove the "
                        + "existing guest: virsh destroy " + name + "; virsh undefine " + name);
            }
            guests.put(name, null);
            namesUsed.add(name);
            return name;
        }
        String base = Names.domain(run, label);
        String name = base;
        for (int n = 2; namesUsed.contains(name) || hypervisor.domainExists(name); n++) {
            name = base + "-" + n;
        }
        guests.put(name, null);
        namesUsed.add(name);
        return name;
    }

    private synchronized void release(String name) {
        guests.remove(name);
    }

    /** Removes a bridge (and its NAT) before the lab closes; guests on it must be gone first. Idempotent. */
    public void remove(Bridge bridge) {
        boolean ours;
        synchronized (this) {
            ours = bridges.remove(bridge);
        }
        if (ours) {
            ((LabBridge) bridge).remove();
        }
    }

    /** Removes an upstream host before the lab closes. Idempotent. */
    public void remove(Upstream upstream) {
        boolean ours;
        synchronized (this) {
            ours = upstreams.remove(upstream);
        }
        if (ours) {
            ((LabUpstream) upstream).remove();
        }
    }

    /** The network guests join when they declare none: isolated, DHCP, reachable from the host. */
    synchronized DefaultNetwork defaultNetwork() {
        if (defaultNetwork == null) {
            SubnetLease lease = leaseSubnet();
            DefaultNetwork network = new DefaultNetwork(Names.runMarker(run) + "net", Names.bridge(run, "n0"), lease);
            teardown.register("network " + network.name(), () -> hypervisor.removeNetwork(network.name()));
            hypervisor.createNetwork(network.toXml());
            defaultNetwork = network;
        }
        return defaultNetwork;
    }

    @Override
    public Bridge bridge(BridgeSpec spec) {
        String name;
        String table;
        synchronized (this) {
            int n = nextBridge++;
            name = Names.bridge(run, "b" + n);
            table = "vu_" + run + "_b" + n;
        }
        Cidr subnet = subnetFor(spec.cidr(), "bridge " + name);
        LabBridge bridge = LabBridge.create(spec, name, table, subnet, run, linux);
        synchronized (this) {
            bridges.add(bridge);
        }
        return bridge;
    }

    @Override
    public dev.virtunit.Network network(dev.virtunit.NetworkSpec spec) {
        String name;
        String bridge;
        synchronized (this) {
            int n = nextNetwork++;
            name = Names.runMarker(run) + "lnet" + n;
            bridge = Names.bridge(run, "l" + n);
        }
        Cidr subnet = subnetFor(spec.cidr(), "network " + name);
        for (String[] host : spec.dhcpHosts()) {
            host[1] = StaticAddresses.host(host[1], subnet);
            if (!subnet.contains(host[1])) {
                throw new dev.virtunit.InvalidDeclarationException("network " + name + ": DHCP entry " + host[0] + "="
                        + host[1] + " is outside its subnet " + subnet.network());
            }
        }
        LabLibvirtNetwork network = new LabLibvirtNetwork(hypervisor, name, bridge, subnet, spec.mode(), spec.dhcp());
        teardown.register("network " + name, () -> hypervisor.removeNetwork(name));
        hypervisor.createNetwork(LabLibvirtNetwork.toXml(name, bridge, subnet, spec.mode(), spec));
        synchronized (this) {
            networks.add(network);
        }
        return network;
    }

    /** Removes a libvirt network before the lab closes; guests on it must be gone first. Idempotent. */
    public void remove(dev.virtunit.Network network) {
        hypervisor.removeNetwork(network.name());
    }

    @Override
    public Upstream upstream() {
        String name;
        synchronized (this) {
            name = Names.bridge(run, "u" + nextUpstream++);
        }
        Cidr subnet = subnetFor(java.util.Optional.empty(), "upstream " + name);
        String prefix = "/" + subnet.prefixLength();
        int network = subnet.network().address();
        LabUpstream upstream = new LabUpstream(dev.virtunit.internal.net.UpstreamNamespace.start(linux, name,
                Cidr.format(network + 1) + prefix, Cidr.format(network + 2) + prefix));
        synchronized (this) {
            upstreams.add(upstream);
        }
        return upstream;
    }

    /** The declared subnet, checked against the host's routes, or a leased free /24. */
    private Cidr subnetFor(java.util.Optional<String> declared, String what) {
        if (declared.isPresent()) {
            Cidr cidr;
            try {
                cidr = Cidr.parse(declared.get()).network();
            } catch (IllegalArgumentException e) {
                throw new dev.virtunit.InvalidDeclarationException(what + ": cidr '" + declared.get()
                        + "' is not a subnet in CIDR notation such as 192.168.77.0/24");
            }
            List<String> overlapping = linux.routes().overlapping(cidr);
            if (!overlapping.isEmpty()) {
                throw new dev.virtunit.InvalidDeclarationException(what + ": cidr " + cidr + " overlaps the host's route '"
                        + overlapping.get(0).strip() + "'; a test network there would cut the host off. Leave cidr out so "
                        + "virtunit picks a free subnet, or pick one no route uses");
            }
            return cidr;
        }
        return Cidr.parse(leaseSubnet().cidr());
    }

    /** A free /24 for this run, avoiding the host's routes and every libvirt network; released at teardown. */
    private SubnetLease leaseSubnet() {
        List<String> networkXml = new ArrayList<>();
        for (String network : hypervisor.networkNames()) {
            networkXml.add(hypervisor.networkXml(network));
        }
        SubnetLease lease = SubnetLease.acquire(config.stateDir(), run, networkXml);
        teardown.register("subnet lease " + lease.cidr(), lease::release);
        return lease;
    }

    @Override
    public void remove(Guest guest) {
        LabGuest ours;
        synchronized (this) {
            ours = guests.remove(guest.name());
        }
        if (ours != null) {
            ours.remove();
        }
    }

    @Override
    public void close() {
        close(true);
    }

    @Override
    public void close(boolean succeeded) {
        List<LabGuest> remaining;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            remaining = guests.values().stream().filter(java.util.Objects::nonNull).toList();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // Called from the hook itself: nothing to remove.
        }
        boolean keep = config.cleanup() == CleanupMode.NEVER || (config.cleanup() == CleanupMode.ON_SUCCESS && !succeeded);
        if (keep || anyKept(remaining)) {
            keepForInspection(remaining);
            return;
        }
        // Newest first: guests, then the bridges they plug into, then the upstreams NAT points at.
        Teardown guestsFirst = new Teardown();
        List<LabUpstream> ups;
        List<LabBridge> brs;
        synchronized (this) {
            ups = List.copyOf(upstreams);
            brs = List.copyOf(bridges);
            upstreams.clear();
            bridges.clear();
        }
        ups.forEach(upstream -> guestsFirst.register("upstream " + upstream.name(), upstream::remove));
        brs.forEach(bridge -> guestsFirst.register("bridge " + bridge.name(), bridge::remove));
        remaining.forEach(guest -> guestsFirst.register("guest " + guest.name(), guest::remove));
        RuntimeException failure = null;
        try {
            guestsFirst.run();
        } catch (RuntimeException e) {
            failure = e;
        }
        try {
            teardown.run();
        } catch (RuntimeException e) {
            if (failure == null) {
                failure = e;
            } else {
                failure.addSuppressed(e);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static boolean anyKept(List<LabGuest> guests) {
        return guests.stream().anyMatch(LabGuest::isKept);
    }

    /** Cleanup on-success after a failure, or never: keep it all, mark the run kept so no sweep removes it. */
    private void keepForInspection(List<LabGuest> remaining) {
        record = record.markKept();
        StringBuilder how = new StringBuilder("virtunit kept run " + run + " for inspection (cleanup mode "
                + config.cleanup().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-') + "):");
        remaining.forEach(guest -> how.append("\n  ").append(guest.howToReach()));
        how.append("\n  remove it all with: scripts/check-leftovers --remove (or virsh destroy/undefine each guest)");
        LOG.warn(how.toString());
        // Release the connection only; everything else stays.
        teardown.abandon();
        hypervisor.close();
    }

    private void closeFromShutdownHook() {
        LOG.warn("JVM exiting with run {} still open: tearing it down", run);
        try {
            close(true);
        } catch (RuntimeException e) {
            LOG.error("teardown at JVM exit failed: {}", e.getMessage());
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
