package dev.virtunit.internal.net;

import dev.virtunit.internal.host.HostCommands;
import dev.virtunit.internal.host.HostFiles;
import dev.virtunit.internal.host.HostFolder;

import java.util.Objects;

/**
 * The adapters for one host's networking, all running their programs through the same {@link HostCommands}: links,
 * routes, namespaces, sysctls, Open vSwitch, nftables and IP forwarding. Orchestration (a lab's bridges, an upstream
 * host) takes one of these, so that a unit test can hand it a fake that records every command.
 *
 * @since 0.2
 */
public final class HostNetworking {

    private static final HostNetworking LOCAL = new HostNetworking(HostCommands.local(), IpForwarding.system());

    private final HostCommands commands;
    private final IpLinks links;
    private final IpRoutes routes;
    private final NetworkNamespaces namespaces;
    private final Sysctls sysctls;
    private final OpenVSwitch ovs;
    private final Nftables nftables;
    private final IpForwarding forwarding;
    private final JavaLauncher java;
    private final HostFiles files;

    /**
     * The host's adapters as on this machine: its small Java programs run with this JVM's class path
     * ({@link JavaLauncher#local()}) and its files are this machine's; the local host, or a fake of its programs.
     *
     * @param forwarding the forwarding count of that host: {@link IpForwarding#system()} for this JVM's, so that every
     *                   holder in the JVM shares one count
     */
    public HostNetworking(HostCommands commands, IpForwarding forwarding) {
        this(commands, forwarding, JavaLauncher.local(), HostFiles.local());
    }

    /**
     * The host's adapters, its small Java programs (the upstream's echo service, probes) run by {@code java}, its
     * files (the run's pool directory, seeds, console logs) {@code files}: {@link HostFiles#over} the same commands
     * for a remote host.
     *
     * @since 0.4
     */
    public HostNetworking(HostCommands commands, IpForwarding forwarding, JavaLauncher java, HostFiles files) {
        this.files = Objects.requireNonNull(files, "files");
        this.commands = Objects.requireNonNull(commands, "commands");
        this.forwarding = Objects.requireNonNull(forwarding, "forwarding");
        this.java = Objects.requireNonNull(java, "java");
        this.links = new IpLinks(commands);
        this.routes = new IpRoutes(commands);
        this.namespaces = new NetworkNamespaces(commands);
        this.sysctls = new Sysctls(commands);
        this.ovs = new OpenVSwitch(commands, links);
        this.nftables = new Nftables(commands);
    }

    /** The host this JVM runs on. */
    public static HostNetworking local() {
        return LOCAL;
    }

    /**
     * A remote host's adapters for one run: its IP forwarding counted on that host under {@code hostStateDir}
     * ({@link IpForwarding#onHost}), its small Java programs shipped into {@code runFolder}{@code /java} there (the
     * run's folder of its {@code RunLease}, removed with it and by the sweep) and run with the host's java.
     *
     * @since 0.4
     */
    public static HostNetworking onHost(HostCommands commands, String hostStateDir, HostFolder runFolder, HostFiles files) {
        return new HostNetworking(commands, IpForwarding.onHost(commands, files, hostStateDir),
                JavaLauncher.shippedTo(commands, runFolder.folder("java")), files);
    }

    public HostCommands commands() {
        return commands;
    }

    public IpLinks links() {
        return links;
    }

    public IpRoutes routes() {
        return routes;
    }

    public NetworkNamespaces namespaces() {
        return namespaces;
    }

    public Sysctls sysctls() {
        return sysctls;
    }

    /** Open vSwitch; it asks once whether the kernel datapath is available. */
    public OpenVSwitch ovs() {
        return ovs;
    }

    public Nftables nftables() {
        return nftables;
    }

    public IpForwarding forwarding() {
        return forwarding;
    }

    /** How the upstream's echo service and probes run on this host. */
    public JavaLauncher java() {
        return java;
    }

    /**
     * The files of that host: the run's pool directory, seeds, console logs.
     *
     * @since 0.4
     */
    public HostFiles files() {
        return files;
    }
}
