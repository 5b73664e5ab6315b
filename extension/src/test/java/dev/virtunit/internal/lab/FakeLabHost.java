package dev.virtunit.internal.lab;

import dev.virtunit.Acceleration;
import dev.virtunit.LabConfig;
import dev.virtunit.internal.host.CommandResult;
import dev.virtunit.internal.host.HostFiles;
import dev.virtunit.internal.host.HostCommands;
import dev.virtunit.internal.host.HostProcess;
import dev.virtunit.internal.host.RecordingHostCommands;
import dev.virtunit.internal.net.HostNetworking;
import dev.virtunit.internal.net.IpForwarding;
import dev.virtunit.internal.net.JavaLauncher;
import dev.virtunit.internal.net.Sysctls;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A host of fakes for tests outside this package (the JUnit extension's): libvirt is a {@link FakeHypervisor}; the
 * networking programs ({@code ip}, {@code ovs-vsctl}, {@code nft}, ...) are recorded, and answered from a small model
 * of which links and namespaces exist, so that an upstream finds its names free and a NAT finds its uplink; every
 * other program (qemu-img, genisoimage: provisioning needs them) runs for real.
 */
public final class FakeLabHost {

    private static final Set<String> NETWORK_PROGRAMS = Set.of("ip", "ovs-vsctl", "nft", "sysctl", "ethtool",
            "modprobe", "test", "ovs-ofctl", "conntrack", "tc", "bridge", "virsh");

    private final FakeHypervisor hypervisor = new FakeHypervisor();
    private final RecordingHostCommands network = new RecordingHostCommands();
    private final Set<String> links = new TreeSet<>();
    private final Set<String> namespaces = new TreeSet<>();
    /** What reading commands print, by the start of the command as typed; newest rule first. */
    private final Map<String, String> reads = new java.util.LinkedHashMap<>();
    /** Each veth end's peer: deleting one end deletes the pair. */
    private final Map<String, String> peers = new HashMap<>();

    public FakeLabHost() {
        // An upstream's echo server says it is ready, on these ports.
        network.startedPrints(List.of("ip", "netns", "exec"), "READY tcp 40001 udp 40002\n");
    }

    /** Starts a lab on this host: software emulation, no first-boot cache (a fake guest boots nothing). */
    public LabSession start(LabConfig config) {
        HostCommands commands = new Commands();
        return LabSession.start(config.withAcceleration(Acceleration.TCG).withFirstBootCache(false), uri -> hypervisor,
                new HostNetworking(commands, new IpForwarding(new Sysctls(commands))));
    }

    /**
     * Starts a lab whose libvirt host is remote, at {@code address} ({@code user@host:port}): every program of that
     * host goes to {@code commands} (exit 0 and no output unless a test's rule answers), libvirt is this fake's.
     */
    public LabSession startRemote(LabConfig config, String address, RecordingHostCommands commands) {
        return LabSession.start(config.withAcceleration(Acceleration.TCG).withFirstBootCache(false), uri -> hypervisor,
                remoteSite(commands, address, () -> { }));
    }

    /** libvirt lists the {@code kvm} domain type beside {@code qemu}. */
    public FakeLabHost listingKvm() {
        hypervisor.capabilities = "<capabilities><guest><arch name='x86_64'><domain type='qemu'/>"
                + "<domain type='kvm'/></arch></guest></capabilities>";
        return this;
    }

    /** A remote host at {@code address} whose programs and files all go to {@code commands}. */
    static LabHost remoteSite(RecordingHostCommands commands, String address, AutoCloseable connection) {
        HostNetworking networking = new HostNetworking(commands, new IpForwarding(new Sysctls(commands)),
                JavaLauncher.local(), HostFiles.over(commands, address));
        return LabHost.remote(networking, HostCommands.local(), address, connection);
    }

    /** A blank qcow2 image in {@code dir} for guests of this host: real enough for provisioning, boots nothing. */
    public static Path blankImage(Path dir) {
        return FakeLab.blankImage(dir, "blank.qcow2");
    }

    /** What libvirt has: {@code domain NAME}, {@code network NAME}, {@code pool NAME}, {@code volume NAME}. */
    public synchronized List<String> libvirtObjects() {
        return hypervisor.everything();
    }

    /** The running state of a domain, say {@code RUNNING}; {@code UNDEFINED} once it is gone. */
    public synchronized String domainState(String name) {
        return hypervisor.domainState(name).name();
    }

    /** Commands starting with {@code commandStart} (as typed, space-separated) print {@code stdout}. */
    public synchronized FakeLabHost answerReads(String commandStart, String stdout) {
        reads.put(commandStart, stdout);
        return this;
    }

    /** Every networking command so far, as typed, oldest first. */
    public List<String> networkCommands() {
        return network.rendered();
    }

    /** The links and namespaces that exist now, by name. */
    public synchronized Set<String> linksAndNamespaces() {
        Set<String> all = new TreeSet<>(links);
        all.addAll(namespaces);
        return all;
    }

    private final class Commands implements HostCommands {
        @Override
        public CommandResult run(Duration timeout, List<String> argv) {
            if (!NETWORK_PROGRAMS.contains(argv.get(0))) {
                return HostCommands.local().run(timeout, argv);
            }
            network.run(timeout, argv);
            synchronized (FakeLabHost.this) {
                return answer(argv);
            }
        }

        @Override
        public CommandResult run(Duration timeout, List<String> argv, byte[] input) {
            network.run(timeout, argv, input);
            synchronized (FakeLabHost.this) {
                return answer(argv);
            }
        }

        @Override
        public HostProcess start(List<String> argv) {
            return network.start(argv);
        }
    }

    private CommandResult answer(List<String> argv) {
        String command = String.join(" ", argv);
        String last = argv.get(argv.size() - 1);
        for (Map.Entry<String, String> read : reads.entrySet()) {
            if (command.startsWith(read.getKey())) {
                return result(argv, 0, read.getValue(), "");
            }
        }
        if (command.startsWith("ip -o link show dev ")) {
            return links.contains(last) ? result(argv, 0, last + ": <UP>\n", "")
                    : result(argv, 1, "", "Device \"" + last + "\" does not exist.");
        }
        if (command.startsWith("ip link add name ")) {
            links.add(argv.get(4));
            if (argv.contains("peer")) {
                String peer = argv.get(argv.indexOf("peer") + 2);
                links.add(peer);
                peers.put(argv.get(4), peer);
                peers.put(peer, argv.get(4));
            }
        } else if (command.startsWith("ip link del dev ")) {
            links.remove(last);
            links.remove(peers.getOrDefault(last, last));
        } else if (argv.get(0).equals("ovs-vsctl") && argv.contains("add-br")) {
            links.add(argv.get(argv.indexOf("add-br") + 1));
        } else if (argv.get(0).equals("ovs-vsctl") && argv.contains("del-br")) {
            links.remove(last);
        } else if (command.startsWith("ip netns add ")) {
            namespaces.add(last);
        } else if (command.startsWith("ip netns del ")) {
            namespaces.remove(last);
            // Deleting a namespace destroys the veth end inside it, and with it the pair.
            links.remove(last + "h");
            links.remove(last + "n");
        } else if (command.equals("ip netns list")) {
            return result(argv, 0, String.join("\n", namespaces) + "\n", "");
        } else if (command.equals("sysctl -n net.ipv4.ip_forward")) {
            return result(argv, 0, "0\n", "");
        } else if (command.equals("test -d /sys/module/openvswitch") || argv.get(0).equals("modprobe")) {
            // No kernel datapath, as on this project's machines: the userspace one.
            return result(argv, 1, "", "");
        }
        return result(argv, 0, "", "");
    }

    private static CommandResult result(List<String> argv, int exitCode, String stdout, String stderr) {
        return new CommandResult(List.copyOf(argv), exitCode, stdout, stderr, Duration.ZERO);
    }
}
