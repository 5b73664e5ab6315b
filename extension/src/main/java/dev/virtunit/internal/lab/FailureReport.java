package dev.virtunit.internal.lab;

import dev.virtunit.Guest;
import dev.virtunit.Network;
import dev.virtunit.Upstream;
import dev.virtunit.internal.host.CommandResult;
import dev.virtunit.internal.host.FileTrees;
import dev.virtunit.internal.host.HostCommands;
import dev.virtunit.internal.net.Conntrack;
import dev.virtunit.internal.net.NatTableCounters;
import dev.virtunit.internal.text.ShellQuoting;
import dev.virtunit.observe.InterfaceInfo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What a failed test's network looked like, written into one folder before teardown removes it: for each guest its
 * console log, domain XML, and {@code ip addr}/{@code ip route}/{@code ip neigh} inside it (over SSH, briefly) and
 * its ports on the host; for each bridge the switch's view ({@code ovs-vsctl show}, flows and port counters, or
 * {@code bridge link} and {@code ip -s link}), its NAT table with counters and the conntrack entries of its subnet;
 * for each libvirt network its definition and DHCP leases; for each upstream host the peers its echo service saw and
 * its addresses and routes; the packet captures the test took; and {@code index.md} saying what is where. Every host
 * program runs through {@link HostCommands}; every item is bounded in time and its failure noted in the index
 * ({@link EvidenceFolder}).
 */
public final class FailureReport {

    /** The whole report's budget: a test run with many failures must not spend its time on reports. */
    static final Duration BUDGET = Duration.ofSeconds(90);
    private static final Duration COMMAND = Duration.ofSeconds(10);
    private static final Duration ITEM = Duration.ofSeconds(15);

    private final LabSession lab;
    private final HostCommands host;
    private final List<Object> handles;
    private final Instant testStarted;
    private final List<FailureEvidence> contributors;

    /**
     * @param handles      the guests, bridges, libvirt networks and upstream hosts the test used
     * @param testStarted  captures started before it belong to earlier tests
     * @param contributors more evidence (the topology picture)
     */
    public FailureReport(LabSession lab, List<Object> handles, Instant testStarted, List<FailureEvidence> contributors) {
        this.lab = lab;
        this.host = lab.host();
        this.handles = List.copyOf(handles);
        this.testStarted = testStarted;
        this.contributors = List.copyOf(contributors);
    }

    /** Writes the report into {@code dir} (emptied first) and returns its index; throws only if the index cannot be written. */
    public Path writeTo(Path dir, List<String> heading) {
        try {
            FileTrees.deleteRecursively(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot empty report folder " + dir, e);
        } catch (RuntimeException e) {
            // an unreadable old report is no reason not to write the new one over it
        }
        EvidenceFolder folder = new EvidenceFolder(dir, BUDGET);
        for (Object handle : handles) {
            if (handle instanceof LabGuest guest) {
                guest(folder, guest);
            } else if (handle instanceof LabBridge bridge) {
                bridge(folder, bridge);
            } else if (handle instanceof Network network) {
                network(folder, network);
            } else if (handle instanceof Upstream upstream) {
                upstream(folder, upstream);
            }
        }
        for (FailureEvidence contributor : contributors) {
            folder.files(contributor.description(), contributor.description(), ITEM,
                    () -> contributor.writeTo(dir, lab, handles));
        }
        List<String> lines = new ArrayList<>(heading);
        lines.add("");
        lines.add("Written by virtunit run " + lab.runId() + " before teardown; every file starts with the command "
                + "that produced it.");
        return folder.writeIndex(lines);
    }

    private void guest(EvidenceFolder folder, LabGuest guest) {
        String base = "guests/" + guest.name() + "/";
        folder.text(base + "console.log", "serial console of guest " + guest.name() + " since it was defined", ITEM,
                guest::consoleLog);
        folder.text(base + "domain.xml", "libvirt domain XML of guest " + guest.name() + " (virsh dumpxml)", ITEM, guest::xml);
        // A guest that is not awaited over SSH (a live CD, an appliance) may have no SSH to ask.
        boolean reachable = guest.spec().awaitSsh();
        String unreachable = reachable ? "guest " + guest.name() + " did not answer the SSH command before"
                : "guest " + guest.name() + " is declared with awaitSsh = false: virtunit does not log in to it";
        for (String command : List.of("ip addr", "ip route", "ip neigh")) {
            String path = base + command.replace(' ', '-') + ".txt";
            if (!reachable) {
                folder.skipped(path, unreachable);
                continue;
            }
            reachable = folder.text(path, "`" + command + "` inside guest " + guest.name() + " (over SSH)", ITEM,
                    () -> inGuest(guest, command));
        }
        List<InterfaceInfo> nics;
        try {
            nics = guest.interfaces();
        } catch (RuntimeException e) {
            folder.skipped(base + "port-*.txt", "the guest's NICs are unknown: " + e.getMessage());
            nics = List.of();
        }
        for (InterfaceInfo nic : nics) {
            if (!nic.device().isEmpty()) {
                folder.text(base + "port-" + nic.device() + ".txt", "host side of NIC " + nic.mac() + " on " + nic.source()
                        + ": link counters and queueing discipline (impairments)", ITEM,
                        () -> commands(List.of("ip", "-s", "link", "show", "dev", nic.device()),
                                List.of("tc", "-s", "qdisc", "show", "dev", nic.device())));
            }
        }
        captures(folder, guest.captures());
    }

    private static String inGuest(Guest guest, String command) {
        var result = guest.ssh().exec(command, COMMAND);
        return "$ " + command + "\n" + result.stdout() + (result.stderr().isEmpty() ? "" : "\n[stderr]\n" + result.stderr())
                + (result.exitCode() == 0 ? "" : "\n[exit code " + result.exitCode() + "]\n");
    }

    private void bridge(EvidenceFolder folder, LabBridge bridge) {
        String name = bridge.name();
        String base = "bridges/" + name + "/";
        if (bridge.kind() == dev.virtunit.Bridge.Kind.OVS) {
            folder.text(base + "ovs-vsctl-show.txt", "Open vSwitch configuration (ovs-vsctl show)", ITEM,
                    () -> commands(List.of("ovs-vsctl", "show")));
            folder.text(base + "ovs-ofctl-dump-flows.txt", "OpenFlow flows of " + name + " with packet counts", ITEM,
                    () -> commands(List.of("ovs-ofctl", "dump-flows", name)));
            folder.text(base + "ovs-ofctl-dump-ports.txt", "port counters of " + name + " (rx/tx, drops, errors)", ITEM,
                    () -> commands(List.of("ovs-ofctl", "dump-ports", name)));
        } else {
            folder.text(base + "bridge-link.txt", "ports of Linux bridge " + name + " and their state", ITEM,
                    () -> commands(List.of("bridge", "link", "show", "master", name),
                            List.of("bridge", "fdb", "show", "br", name)));
            folder.text(base + "ip-s-link.txt", "link counters of the bridge's ports", ITEM,
                    () -> commands(List.of("ip", "-s", "link", "show", "master", name)));
        }
        if (!bridge.gatewayInterface().isEmpty()) {
            folder.text(base + "gateway.txt", "the host's gateway interface " + bridge.gatewayInterface(), ITEM,
                    () -> commands(List.of("ip", "-s", "addr", "show", "dev", bridge.gatewayInterface())));
        }
        if (!bridge.natTable().isEmpty()) {
            folder.text(base + "nft-" + bridge.natTable() + ".txt", "NAT table with its counters (masquerade, port "
                    + "forwards, blocked inbound)", ITEM, () -> commands(NatTableCounters.listCommand(bridge.natTable())));
        }
        conntrack(folder, base, bridge.cidr());
        captures(folder, bridge.captures());
    }

    private void conntrack(EvidenceFolder folder, String base, String cidr) {
        folder.text(base + "conntrack.txt", "connections the host tracks from and to " + cidr + " (after NAT: reply "
                + "destination is the masquerading address)", ITEM,
                () -> commands(Conntrack.fromSubnet(cidr), Conntrack.toSubnet(cidr)));
    }

    private void network(EvidenceFolder folder, Network network) {
        String base = "networks/" + network.name() + "/";
        folder.text(base + "network.xml", "libvirt network definition (virsh net-dumpxml)", ITEM, network::xml);
        folder.text(base + "dhcp-leases.txt", "DHCP leases of libvirt's dnsmasq", ITEM, () -> commands(
                List.of("virsh", "-c", lab.config().libvirtUri(), "net-dhcp-leases", network.name())));
        conntrack(folder, base, network.cidr());
    }

    private void upstream(EvidenceFolder folder, Upstream upstream) {
        String base = "upstreams/" + upstream.name() + "/";
        folder.text(base + "peers.txt", "every client the upstream's echo service saw, oldest first: the source "
                + "address shows whether NAT translated it", ITEM, () -> peers(upstream));
        folder.text(base + "ip.txt", "addresses, routes and neighbours inside the upstream's namespace", ITEM,
                () -> commands(List.of("ip", "-n", upstream.name(), "addr"), List.of("ip", "-n", upstream.name(), "route"),
                        List.of("ip", "-n", upstream.name(), "neigh")));
    }

    private static String peers(Upstream upstream) {
        StringBuilder text = new StringBuilder("# upstream " + upstream.address() + " (tcp " + upstream.tcpPort()
                + ", udp " + upstream.udpPort() + "); the host's uplink address is " + upstream.hostAddress() + "\n");
        List<Upstream.Peer> peers = upstream.peersSeen();
        if (peers.isEmpty()) {
            text.append("(no client reached the echo service)\n");
        }
        peers.forEach(peer -> text.append(peer.protocol()).append(" from ").append(peer.address()).append(':')
                .append(peer.port()).append('\n'));
        return text.toString();
    }

    private void captures(EvidenceFolder folder, List<LabCapture> captures) {
        for (LabCapture capture : captures) {
            if (!capture.started().isBefore(testStarted)) {
                Path file = capture.file();
                folder.copy("captures/" + file.getFileName(), "packet capture on " + capture.interfaceName() + " of "
                        + capture.owner() + " (tcpdump -r, Wireshark)", file);
            }
        }
    }

    /** Runs each command (bounded by {@link #COMMAND}) and returns their outputs, each after its command line. */
    @SafeVarargs
    private String commands(List<String>... argvs) {
        StringBuilder text = new StringBuilder();
        for (List<String> argv : argvs) {
            CommandResult result = host.run(COMMAND, argv);
            text.append("$ ").append(ShellQuoting.join(argv)).append('\n').append(result.stdout());
            if (!result.stderr().isBlank()) {
                text.append("[stderr] ").append(result.stderr().strip()).append('\n');
            }
            if (!result.succeeded()) {
                text.append("[exit code ").append(result.exitCode()).append("]\n");
            }
            text.append('\n');
        }
        return text.toString();
    }
}
