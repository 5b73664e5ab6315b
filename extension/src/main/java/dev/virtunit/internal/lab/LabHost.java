package dev.virtunit.internal.lab;

import dev.virtunit.HostUnavailableException;
import dev.virtunit.LabConfig;
import dev.virtunit.VirtunitException;
import dev.virtunit.internal.host.CommandFailedException;
import dev.virtunit.internal.host.HostCommands;
import dev.virtunit.internal.host.HostFiles;
import dev.virtunit.internal.host.OneAtATimeHostCommands;
import dev.virtunit.internal.host.RunLease;
import dev.virtunit.internal.image.ImageDigests;
import dev.virtunit.internal.libvirt.Hypervisor;
import dev.virtunit.internal.libvirt.LibvirtHypervisor;
import dev.virtunit.internal.net.HostNetworking;
import dev.virtunit.internal.net.IpForwarding;
import dev.virtunit.internal.net.JavaLauncher;
import dev.virtunit.internal.net.Sysctls;
import dev.virtunit.internal.ssh.SshHostCommands;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The machine a lab's guests run on, as the lab's parts need it: its programs and files ({@link #networking()},
 * this machine's or a remote libvirt host's over SSH) beside this JVM's own machine ({@link #localCommands()}:
 * {@code qemu-img} on a local image, {@code genisoimage} for a seed, which a remote host need not have). A lab whose
 * libvirt URI names another host gets {@link SshHostCommands} there, and closes that connection after everything
 * else ({@link #close()}).
 */
final class LabHost implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LabHost.class);

    /** The state folder on a remote host: run leases, forwarding holders, shipped classes (the same path as here). */
    private static final String HOST_STATE_DIR = "/var/lib/virtunit";

    /** The KVM device a lab's acceleration {@code auto} looks at on this machine. */
    static final Path DEV_KVM = Path.of("/dev/kvm");
    private static final Duration QUICK = Duration.ofSeconds(30);

    /** The host's networking; on a remote host made for the run by {@link #networkingFor}. */
    private volatile HostNetworking networking;
    private final HostCommands localCommands;
    private final Optional<String> remoteAddress;
    private final AutoCloseable connection;
    private volatile Optional<HostImagePool> imagePool = Optional.empty();
    private volatile Optional<RunLease> lease = Optional.empty();
    /** How the test reaches the guests: from here, or through the remote host's SSH connection. */
    private volatile GuestRoute guestRoute;

    private LabHost(HostNetworking networking, HostCommands localCommands, Optional<String> remoteAddress,
                    AutoCloseable connection, GuestRoute guestRoute) {
        this.networking = networking;
        this.localCommands = localCommands;
        this.remoteAddress = remoteAddress;
        this.connection = connection;
        this.guestRoute = guestRoute;
    }

    /** This machine, its programs run through {@code networking} (a fake of them in unit tests). */
    static LabHost local(HostNetworking networking) {
        return new LabHost(networking, networking.commands(), Optional.empty(), () -> { }, GuestRoute.direct());
    }

    /**
     * A remote host reached through {@code networking} ({@link HostNetworking#files()} its files), with this JVM's
     * machine's programs in {@code localCommands}; {@code connection} is closed last.
     *
     * @param address {@code user@host:port}, for messages
     */
    static LabHost remote(HostNetworking networking, HostCommands localCommands, String address,
                          AutoCloseable connection) {
        return remote(networking, localCommands, address, connection, GuestRoute.direct());
    }

    /** As {@link #remote(HostNetworking, HostCommands, String, AutoCloseable)}, its guests reached by {@code route}. */
    static LabHost remote(HostNetworking networking, HostCommands localCommands, String address,
                          AutoCloseable connection, GuestRoute route) {
        return new LabHost(networking, localCommands, Optional.of(address), connection, route);
    }

    /**
     * The host of {@code config}'s URI: this machine, or a remote host logged in to over SSH now, so that a wrong
     * login fails before anything is made.
     *
     * @throws dev.virtunit.InvalidDeclarationException when the {@code virtunit.host.*} settings cannot work
     * @throws HostUnavailableException when the login is refused or the host cannot be reached
     */
    static LabHost open(LabConfig config) {
        return open(config, System::getenv);
    }

    static LabHost open(LabConfig config, Function<String, String> environment) {
        Optional<RemoteLogin> login = RemoteLogin.of(config, environment);
        if (login.isEmpty()) {
            return local(HostNetworking.local());
        }
        RemoteLogin remote = login.get();
        SshHostCommands ssh = remote.identity().isPresent()
                ? SshHostCommands.withKeyFile(remote.user(), remote.host(), remote.port(), remote.identity().get(),
                        remote.knownHosts())
                : SshHostCommands.withAgent(remote.user(), remote.host(), remote.port(), remote.agentSocket().get(),
                        remote.knownHosts());
        try {
            ssh.connect();
        } catch (CommandFailedException e) {
            ssh.close();
            throw new HostUnavailableException("cannot use the remote libvirt host of " + config.libvirtUri()
                    + ": virtunit runs its programs and handles its files over SSH as " + remote.address()
                    + " (virtunit.host.ssh, virtunit.host.identity, virtunit.host.knownHosts), and " + e.getMessage(), e);
        }
        LOG.info("libvirt host {} is remote: its programs and files through SSH as {}", config.libvirtUri(),
                remote.address());
        HostCommands serial = new OneAtATimeHostCommands(ssh);
        // Forwarding and the shipped classes of a run are that host's; networkingFor(run) sets them up for the run.
        HostNetworking networking = new HostNetworking(serial, new IpForwarding(new Sysctls(serial)),
                JavaLauncher.local(), HostFiles.over(serial, remote.address()));
        // Guests sit on that host's bridges, which this machine has no route to: SSH and probes go through its
        // connection (direct-tcpip).
        return remote(networking, HostCommands.local(), remote.address(), ssh, GuestRoute.through(ssh.jump()));
    }

    /**
     * The host's networking for run {@code run}: on a remote host its IP forwarding counted there and its small Java
     * programs shipped into the run's folder there ({@link HostNetworking#onHost}); this machine's as it is.
     */
    HostNetworking networkingFor(String run) {
        if (isRemote()) {
            HostCommands commands = networking.commands();
            networking = HostNetworking.onHost(commands, HOST_STATE_DIR,
                    RunLease.runsFolder(networking.files(), HOST_STATE_DIR).folder(run), networking.files());
        }
        return networking;
    }

    /** The sweep for this host: a remote host's also judges runs by their leases there. */
    Sweeper sweeper(Hypervisor hypervisor, Path stateDir) {
        return isRemote() ? Sweeper.onHost(hypervisor, networking, stateDir, HOST_STATE_DIR)
                : new Sweeper(hypervisor, networking, stateDir);
    }

    /**
     * On a remote host, writes run {@code run}'s lease there (its heartbeat tells runs of other machines that it
     * lives), removed by {@code teardown}; nothing on this machine, whose run record says the same. From then until
     * {@link #close()} this host is in use ({@link RemoteHostsInUse}: where {@code HostPing.ping(address, count)} pings).
     */
    void leaseFor(String run, Teardown teardown) {
        if (isRemote()) {
            teardown.register("lease of run " + run + " on " + where(), () -> lease.ifPresent(RunLease::close));
            lease = Optional.of(RunLease.start(networking.files(), HOST_STATE_DIR, run));
            RemoteHostsInUse.runStarted(this);
        }
    }

    /** A kept run's lease on a remote host holds until {@code until}, as its record here does. */
    void keptUntil(Instant until) {
        lease.ifPresent(held -> held.markKept(until));
    }

    /**
     * How the lab chooses between KVM and software emulation: by this machine's {@code /dev/kvm} and machine; on a
     * remote host by that host's device ({@code test -c /dev/kvm} there, asked once) and its answer kept here under
     * that host's key (the URI, its machine id and kernel release), so a laptop without KVM uses a KVM server's.
     */
    AccelerationChooser accelerationChooser(Supplier<String> capabilitiesXml, Path cacheDir, String libvirtUri) {
        if (!isRemote()) {
            return new AccelerationChooser(DEV_KVM, capabilitiesXml, cacheDir, AccelerationChooser.currentHostKey());
        }
        Supplier<Boolean> present = once(() -> networking.commands()
                .run(QUICK, List.of("test", "-c", DEV_KVM.toString())).succeeded());
        // Either file may be missing (no machine id in a container): what is there still tells hosts apart.
        Supplier<String> key = once(() -> libvirtUri + "|" + networking.commands()
                .run(QUICK, List.of("cat", "/etc/machine-id", "/proc/sys/kernel/osrelease")).stdout().strip()
                .replace('\n', '|'));
        return new AccelerationChooser(new AccelerationChooser.KvmDevice(present::get, DEV_KVM.toString(),
                remoteAddress), capabilitiesXml, cacheDir, key);
    }

    /** {@code fact} asked the first time it is needed and remembered: a host's device and identity hold for a run. */
    private static <T> Supplier<T> once(Supplier<T> fact) {
        return new Supplier<>() {
            private volatile T known;

            @Override
            public T get() {
                if (known == null) {
                    known = fact.get();
                }
                return known;
            }
        };
    }

    /** libvirt at {@code uri}; one that cannot be reached gives {@link HostUnavailableException}. */
    static Hypervisor connectLibvirt(String uri) {
        try {
            return LibvirtHypervisor.connect(uri);
        } catch (VirtunitException e) {
            throw new HostUnavailableException("cannot use libvirt at " + uri + ": " + e.getMessage(), e);
        }
    }

    /** Images for a remote host go through the lab's libvirt connection, into a pool under {@code cacheDir} there. */
    void uploadImagesThrough(Hypervisor hypervisor, Path cacheDir) {
        imagePool = isRemote() ? Optional.of(new HostImagePool(hypervisor, networking.files(),
                new ImageDigests(cacheDir), cacheDir, where())) : Optional.empty();
    }

    /** Where images are uploaded for a remote host's libvirt; empty on this machine, which uses them in place. */
    Optional<HostImagePool> imagePool() {
        return imagePool;
    }

    /**
     * {@code enabled} on this machine; off, with an INFO line saying why, on a remote host: the first-boot cache and
     * the saved templates are files of this machine's cache, which that host's libvirt cannot open.
     */
    boolean localOnly(String setting, boolean enabled) {
        if (enabled && isRemote()) {
            LOG.info("{} is off for the remote libvirt host {}: it works on files of this machine's cache "
                    + "({}), which that host cannot open; its guests boot from their images", setting, where(),
                    "first-boot bases, saved templates");
            return false;
        }
        return enabled;
    }

    /** How guests' logins and readiness probes reach them ({@link GuestRoute}). */
    GuestRoute guestRoute() {
        return guestRoute;
    }

    /** For tests: guests made from now on are reached {@code route}'s way. */
    void guestRoute(GuestRoute route) {
        this.guestRoute = route;
    }

    /** Whether the guests run on another machine than this JVM. */
    boolean isRemote() {
        return remoteAddress.isPresent();
    }

    /** The name or address a remote host is logged in to by ({@code host} of {@code user@host:port}); empty here. */
    Optional<String> remoteHostName() {
        return remoteAddress.map(address -> address.substring(address.indexOf('@') + 1, address.lastIndexOf(':')));
    }

    /** {@code user@host:port} of a remote host; {@code this machine} otherwise. */
    String where() {
        return remoteAddress.orElse("this machine");
    }

    /** The host's networking, programs and files. */
    HostNetworking networking() {
        return networking;
    }

    /** Programs on this JVM's machine, for its own files: the host's own when the host is this machine. */
    HostCommands localCommands() {
        return localCommands;
    }

    /** Closes the connection to a remote host; nothing for this machine. */
    @Override
    public void close() {
        RemoteHostsInUse.closed(this);
        try {
            connection.close();
        } catch (Exception e) {
            LOG.debug("closing the connection to {} failed: {}", where(), e.toString());
        }
    }
}
