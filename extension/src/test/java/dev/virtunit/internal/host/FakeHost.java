package dev.virtunit.internal.host;

import dev.virtunit.Cidr;
import dev.virtunit.internal.text.ShellQuoting;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * A host for unit tests that keeps state: it models what virtunit creates and removes on a host (links, veth pairs
 * and where their ends are, network namespaces and their routes, Open vSwitch bridges and ports, nftables tables,
 * {@code net.ipv4.ip_forward}, programs started in a namespace), answers what virtunit reads from that state, and
 * says what is left ({@link #everything()}). Unlike {@link RecordingHostCommands}, which answers from a script, a
 * command that does not fit the state fails as the real tool would (a link that is not there, a namespace that
 * exists already), so an order of steps that would fail on a real host fails here too.
 *
 * <p>A command the model does not know is refused loudly with an {@link AssertionError} (and listed in
 * {@link #unknownCommands()}, in case the caller swallowed it): a model that guessed would stop being honest.
 *
 * <p>Each command that changes something is a step of the {@link MutationSteps} given: the chosen step fails with
 * the exit code and stderr the real tool gives when it is not allowed to (no state changes then). {@code qemu-img}
 * and {@code genisoimage} run for real on the local host: they only touch the files of the test's own folder.
 */
public final class FakeHost implements HostCommands {

    /** The host's own uplink, present before any test: never ours, never in {@link #everything()}. */
    public static final String UPLINK = "eth0";

    private static final String HOST_NS = "";

    private record Link(String namespace, String name) {
    }

    private static final class LinkState {
        final String kind;
        String peerNamespace;
        String peer;
        String master;
        boolean up;
        boolean arp = true;
        boolean txOffload = true;
        int mtu = 1500;
        /** A VXLAN link's id, port and local end, which no other VXLAN link of the namespace may share. */
        String vxlanKey;
        final List<Cidr> addresses = new ArrayList<>();
        /** Neighbour entries (address to MAC) set on the link by hand; they go with it. */
        final Map<String, String> neighbours = new TreeMap<>();

        LinkState(String kind) {
            this.kind = kind;
        }
    }

    private record Route(String namespace, String destination, String gateway) {
    }

    private record Started(String namespace, RecordingHostCommands.FakeProcess process) {
    }

    private final MutationSteps steps;
    private final HostCommands local = HostCommands.local();
    private final Map<Link, LinkState> links = new LinkedHashMap<>();
    private final Set<String> namespaces = new LinkedHashSet<>();
    private final Map<String, Map<String, String>> ovsBridges = new TreeMap<>();
    private final Map<String, String> ovsPorts = new TreeMap<>();
    private final Map<String, Integer> ovsTags = new TreeMap<>();
    /** The {@code mtu_request} of Open vSwitch interfaces, by name; and their copy in the transaction under way. */
    private final Map<String, Integer> ovsMtuRequests = new TreeMap<>();
    private Map<String, Integer> mtuRequests = new TreeMap<>();
    /** Links made by {@link #foreignVxlan}: not ours, never in {@link #everything()}. */
    private final Set<String> foreign = new LinkedHashSet<>();
    private final Map<String, String> nftTables = new TreeMap<>();
    private final Map<String, String> sysctls = new TreeMap<>(Map.of("net.ipv4.ip_forward", "0"));
    private final Map<String, String> sysctlsAtStart;
    private final List<Route> routes = new ArrayList<>();
    private final List<Started> started = new ArrayList<>();
    private final List<String> unknown = new ArrayList<>();
    /** Root qdiscs other than the default, by device (host namespace): impairments. */
    private final Map<String, String> qdiscs = new TreeMap<>();
    /** Links taken down after they were up (a guest's tap, say). */
    private final Set<String> downLinks = new LinkedHashSet<>();
    /** OpenFlow flows added to each Open vSwitch bridge, as given to ovs-ofctl add-flow. */
    private final Map<String, List<String>> flows = new TreeMap<>();
    /** nftables tables of families bridge and netdev, by "family name". */
    private final Map<String, String> nftBridgeTables = new TreeMap<>();
    private Supplier<List<String>> externalLinks = List::of;
    private long nextPid = 4000;

    public FakeHost(MutationSteps steps) {
        this.steps = Objects.requireNonNull(steps, "steps");
        LinkState uplink = new LinkState("physical");
        uplink.up = true;
        uplink.addresses.add(Cidr.parse("192.0.2.10/24"));
        links.put(new Link(HOST_NS, UPLINK), uplink);
        LinkState lo = new LinkState("loopback");
        lo.up = true;
        links.put(new Link(HOST_NS, "lo"), lo);
        sysctlsAtStart = Map.copyOf(sysctls);
    }

    /**
     * Links that exist on the host without this model's knowledge, such as the taps libvirt makes for running
     * guests; they can be configured but are no object of the host's to leave behind.
     */
    public FakeHost withExternalLinks(Supplier<List<String>> links) {
        this.externalLinks = Objects.requireNonNull(links, "links");
        return this;
    }

    // ---- HostCommands ----

    @Override
    public synchronized CommandResult run(Duration timeout, List<String> argv) {
        List<String> copy = List.copyOf(argv);
        String program = copy.get(0);
        if (program.endsWith("genisoimage") || program.endsWith("xorriso")) {
            return step(copy) ? failed(copy, 1, "genisoimage: Unable to open disc image file: Permission denied")
                    : local.run(timeout, copy);
        }
        if (program.equals("qemu-img") && copy.size() > 1 && copy.get(1).equals("info")) {
            return local.run(timeout, copy);
        }
        Answer answer = answer(HOST_NS, copy);
        return new CommandResult(copy, answer.exitCode, answer.stdout, answer.stderr, Duration.ZERO);
    }

    /** Only {@code nft -f -}: a rule set on nft's stdin, run as one transaction as nft does. */
    @Override
    public synchronized CommandResult run(Duration timeout, List<String> argv, byte[] input) {
        List<String> copy = List.copyOf(argv);
        if (!copy.equals(List.of("nft", "-f", "-"))) {
            throw refuse(copy);
        }
        Answer answer;
        try {
            failIfChosen(copy, 1, "Error: Could not process rule: Operation not permitted");
            answer = nftScript(copy, new String(input, StandardCharsets.UTF_8));
        } catch (Refused refused) {
            answer = refused.answer;
        }
        return new CommandResult(copy, answer.exitCode, answer.stdout, answer.stderr, Duration.ZERO);
    }

    @Override
    public synchronized HostProcess start(List<String> argv) {
        List<String> copy = List.copyOf(argv);
        if (copy.get(0).equals("tcpdump")) {
            return tcpdump(copy);
        }
        if (copy.size() < 6 || !copy.subList(0, 3).equals(List.of("ip", "netns", "exec"))
                || !copy.get(copy.size() - 3).endsWith("EchoServer")) {
            throw refuse(copy);
        }
        String namespace = copy.get(3);
        if (step(copy)) {
            throw new CommandFailedException("cannot start " + ShellQuoting.join(copy)
                    + ": Cannot open network namespace \"" + namespace + "\": Operation not permitted", null, null);
        }
        if (!namespaces.contains(namespace)) {
            throw new CommandFailedException("cannot start " + ShellQuoting.join(copy) + ": Cannot open network "
                    + "namespace \"" + namespace + "\": No such file or directory", null, null);
        }
        int tcp = port(copy.get(copy.size() - 2), 40001);
        int udp = port(copy.get(copy.size() - 1), 40002);
        RecordingHostCommands.FakeProcess process = new RecordingHostCommands.FakeProcess(copy, nextPid++,
                "READY tcp " + tcp + " udp " + udp + "\n");
        started.add(new Started(namespace, process));
        return process;
    }

    /**
     * {@code tcpdump -i DEV ... -w FILE}: on a link that exists it writes a pcap file with one 42-byte packet (an ARP
     * request) and says it listens; it runs until signalled. Reading a file back ({@code tcpdump -n -r}) prints that
     * packet.
     */
    private HostProcess tcpdump(List<String> argv) {
        String device = argv.get(argv.indexOf("-i") + 1);
        if (!argv.contains("-w") || !exists(HOST_NS, device)) {
            throw refuse(argv);
        }
        Path file = Path.of(argv.get(argv.indexOf("-w") + 1));
        java.nio.ByteBuffer pcap = java.nio.ByteBuffer.allocate(24 + 16 + 42).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        pcap.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(262).putInt(1);
        pcap.putInt(1_700_000_000).putInt(0).putInt(42).putInt(42);
        try {
            Files.write(file, pcap.array());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        RecordingHostCommands.FakeProcess process = new RecordingHostCommands.FakeProcess(argv, nextPid++, "",
                "tcpdump: listening on " + device + ", link-type EN10MB (Ethernet), snapshot length 262 bytes\n");
        started.add(new Started(HOST_NS, process));
        return process;
    }

    private Answer tcpdumpRead(List<String> argv) {
        if (argv.size() != 4 || !argv.subList(1, 3).equals(List.of("-n", "-r"))) {
            return unknown(argv);
        }
        return Answer.out("00:00:00.000000 ARP, Request who-has 192.168.77.1 tell 192.168.77.10, length 28\n");
    }

    private static int port(String asked, int free) {
        int port = Integer.parseInt(asked);
        return port == 0 ? free : port;
    }

    // ---- what is left ----

    /**
     * Everything of virtunit's on this host, one line each: links (with their namespace), namespaces, Open vSwitch
     * bridges and ports, nftables tables, programs still running, sysctls not put back. Empty means nothing left.
     */
    public synchronized List<String> everything() {
        List<String> left = new ArrayList<>();
        links.forEach((link, state) -> {
            boolean baseline = link.name().equals("lo") || link.equals(new Link(HOST_NS, UPLINK))
                    || link.namespace().equals(HOST_NS) && foreign.contains(link.name());
            if (!baseline) {
                left.add(state.kind + " link " + link.name() + (link.namespace().isEmpty() ? "" : " in namespace "
                        + link.namespace()));
            }
        });
        links.forEach((link, state) -> state.neighbours.forEach((address, mac) -> left.add("neighbour " + address + " ("
                + mac + ") on " + link.name())));
        namespaces.forEach(ns -> left.add("network namespace " + ns));
        ovsBridges.keySet().forEach(bridge -> left.add("Open vSwitch bridge " + bridge));
        ovsPorts.forEach((port, bridge) -> left.add("Open vSwitch port " + port + " of " + bridge));
        nftTables.keySet().forEach(table -> left.add("nftables table ip " + table));
        nftBridgeTables.keySet().forEach(table -> left.add("nftables table " + table));
        // A tap goes with its guest, and with it what was set on it.
        qdiscs.forEach((device, qdisc) -> {
            if (exists(HOST_NS, device)) {
                left.add("qdisc " + qdisc + " on " + device);
            }
        });
        downLinks.stream().filter(link -> exists(HOST_NS, link)).forEach(link -> left.add("link " + link + " down"));
        flows.forEach((bridge, list) -> list.forEach(flow -> left.add("OpenFlow flow " + flow + " on " + bridge)));
        started.stream().filter(s -> s.process().isAlive())
                .forEach(s -> left.add("process " + s.process().pid() + " in namespace " + s.namespace()));
        sysctls.forEach((key, value) -> {
            if (!value.equals(sysctlsAtStart.get(key))) {
                left.add("sysctl " + key + " = " + value + " (was " + sysctlsAtStart.get(key) + ")");
            }
        });
        return left;
    }

    /** Commands the model does not know, which it refused; a test asserts there were none. */
    public synchronized List<String> unknownCommands() {
        return List.copyOf(unknown);
    }

    /** Whether the link exists in the host's namespace (for assertions). */
    public synchronized boolean hasLink(String name) {
        return links.containsKey(new Link(HOST_NS, name));
    }

    // ---- the model ----

    private record Answer(int exitCode, String stdout, String stderr) {
        static final Answer OK = new Answer(0, "", "");

        static Answer out(String stdout) {
            return new Answer(0, stdout, "");
        }

        static Answer error(int exitCode, String stderr) {
            return new Answer(exitCode, "", stderr);
        }
    }

    /** Thrown inside the model to answer with a failure; no state has changed when it is thrown. */
    private static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient Answer answer;

        Refused(int exitCode, String stderr) {
            super(stderr, null, false, false);
            this.answer = Answer.error(exitCode, stderr);
        }
    }

    private Answer answer(String namespace, List<String> argv) {
        try {
            return switch (argv.get(0)) {
                case "ip" -> ip(namespace, argv);
                case "ovs-vsctl" -> ovsVsctl(argv);
                case "ovs-ofctl" -> ovsOfctl(argv);
                case "tc" -> tc(argv);
                case "tcpdump" -> tcpdumpRead(argv);
                case "nft" -> nft(argv);
                case "sysctl" -> sysctl(argv);
                case "ethtool" -> ethtool(namespace, argv);
                case "kill" -> kill(argv);
                case "test" -> argv.equals(List.of("test", "-d", "/sys/module/openvswitch")) ? Answer.error(1, "")
                        : unknown(argv);
                case "modprobe" -> argv.equals(List.of("modprobe", "openvswitch"))
                        ? Answer.error(1, "modprobe: FATAL: Module openvswitch not found in directory /lib/modules/6.1.0")
                        : unknown(argv);
                default -> unknown(argv);
            };
        } catch (Refused refused) {
            return refused.answer;
        }
    }

    private Answer unknown(List<String> argv) {
        throw refuse(argv);
    }

    private AssertionError refuse(List<String> argv) {
        String rendered = ShellQuoting.join(argv);
        unknown.add(rendered);
        return new AssertionError("FakeHost does not model " + rendered + "; teach it, or the test proves nothing");
    }

    /** Counts a changing command as a step; whether it is the one to fail. */
    private boolean step(List<String> argv) {
        return steps.next(ShellQuoting.join(argv));
    }

    private static CommandResult failed(List<String> argv, int exitCode, String stderr) {
        return new CommandResult(argv, exitCode, "", stderr, Duration.ZERO);
    }

    /** The injected failure of a step, as the tool reports a refusal. */
    private void failIfChosen(List<String> argv, int exitCode, String stderr) {
        if (step(argv)) {
            throw new Refused(exitCode, stderr);
        }
    }

    // ---- ip ----

    private Answer ip(String namespace, List<String> argv) {
        int i = 1;
        boolean oneLine = false;
        String ns = namespace;
        while (i < argv.size() && argv.get(i).startsWith("-")) {
            switch (argv.get(i)) {
                case "-o" -> oneLine = true;
                case "-4" -> {
                }
                case "-n" -> ns = argv.get(++i);
                default -> unknown(argv);
            }
            i++;
        }
        if (!ns.isEmpty() && !namespaces.contains(ns)) {
            throw new Refused(1, "Cannot open network namespace \"" + ns + "\": No such file or directory");
        }
        List<String> args = argv.subList(i, argv.size());
        String object = args.isEmpty() ? "" : args.get(0);
        return switch (object) {
            case "link" -> ipLink(ns, argv, args);
            case "address", "addr" -> ipAddress(ns, argv, args);
            case "route" -> ipRoute(ns, argv, args);
            case "netns" -> ipNetns(argv, args);
            case "neigh" -> ipNeigh(ns, argv, args);
            default -> unknown(argv);
        };
    }

    private Answer ipLink(String ns, List<String> argv, List<String> args) {
        if (args.equals(List.of("link", "show"))) {
            StringBuilder out = new StringBuilder();
            int index = 1;
            for (Map.Entry<Link, LinkState> entry : links.entrySet()) {
                if (entry.getKey().namespace().equals(ns)) {
                    String peer = entry.getValue().peer == null ? "" : "@" + entry.getValue().peer;
                    out.append(index++).append(": ").append(entry.getKey().name()).append(peer)
                            .append(": <BROADCAST,MULTICAST> mtu ").append(entry.getValue().mtu).append('\n');
                }
            }
            return Answer.out(out.toString());
        }
        if (args.size() == 4 && args.get(1).equals("show") && args.get(2).equals("dev")) {
            String name = args.get(3);
            return exists(ns, name) ? Answer.out("7: " + name + ": <BROADCAST,MULTICAST,UP> mtu "
                    + (links.containsKey(new Link(ns, name)) ? links.get(new Link(ns, name)).mtu : 1500) + "\n")
                    : Answer.error(1, "Device \"" + name + "\" does not exist.");
        }
        if (args.size() >= 5 && args.get(1).equals("add") && args.get(2).equals("name")) {
            String name = args.get(3);
            failIfChosen(argv, 2, "RTNETLINK answers: Operation not permitted");
            if (exists(ns, name)) {
                throw new Refused(2, "RTNETLINK answers: File exists");
            }
            if (args.contains("vxlan")) {
                return addVxlan(ns, argv, args);
            }
            if (args.subList(4, args.size()).equals(List.of("type", "bridge", "stp_state", "0", "forward_delay", "0"))) {
                links.put(new Link(ns, name), new LinkState("bridge"));
                return Answer.OK;
            }
            // ip link add name X up type veth peer name Y [netns NS]: X comes up, Y is made (down) in NS or here.
            if (args.size() >= 10 && args.subList(4, 9).equals(List.of("up", "type", "veth", "peer", "name"))
                    && (args.size() == 10 || args.size() == 12 && args.get(10).equals("netns"))) {
                String peer = args.get(9);
                String peerNs = args.size() == 12 ? args.get(11) : ns;
                if (args.size() == 12 && !namespaces.contains(peerNs)) {
                    throw new Refused(255, "Cannot find netns \"" + peerNs + "\"");
                }
                if (exists(peerNs, peer)) {
                    throw new Refused(2, "RTNETLINK answers: File exists");
                }
                LinkState one = new LinkState("veth");
                LinkState other = new LinkState("veth");
                one.up = true;
                one.peer = peer;
                one.peerNamespace = peerNs;
                other.peer = name;
                other.peerNamespace = ns;
                links.put(new Link(ns, name), one);
                links.put(new Link(peerNs, peer), other);
                return Answer.OK;
            }
            return unknown(argv);
        }
        if (args.size() == 4 && args.get(1).equals("del") && args.get(2).equals("dev")) {
            String name = args.get(3);
            failIfChosen(argv, 2, "RTNETLINK answers: Operation not permitted");
            LinkState state = state(ns, name, argv);
            if (isExternal(ns, name)) {
                return unknown(argv);
            }
            delete(new Link(ns, name), state);
            return Answer.OK;
        }
        if (args.size() >= 5 && args.get(1).equals("set") && args.get(2).equals("dev")) {
            String name = args.get(3);
            List<String> what = args.subList(4, args.size());
            // "arp off up" in one command: the up below, with ARP off.
            boolean arpOff = what.equals(List.of("arp", "off", "up"));
            if (arpOff) {
                what = List.of("up");
            }
            if (!(what.equals(List.of("up")) || what.equals(List.of("down")) || what.size() == 2 && List.of("master", "arp", "netns", "mtu").contains(what.get(0)))) {
                return unknown(argv);
            }
            failIfChosen(argv, 2, "RTNETLINK answers: Operation not permitted");
            if (what.get(0).equals("up")) {
                downLinks.remove(name);
            } else if (what.get(0).equals("down") && exists(ns, name)) {
                downLinks.add(name);
            }
            if (isExternal(ns, name)) {
                return Answer.OK;
            }
            LinkState state = state(ns, name, argv);
            switch (what.get(0)) {
                case "up" -> {
                    state.up = true;
                    state.arp &= !arpOff;
                }
                case "down" -> state.up = false;
                case "arp" -> state.arp = what.get(1).equals("on");
                case "mtu" -> state.mtu = Integer.parseInt(what.get(1));
                case "master" -> {
                    LinkState bridge = links.get(new Link(ns, what.get(1)));
                    if (bridge == null) {
                        throw new Refused(1, "Cannot find device \"" + what.get(1) + "\"");
                    }
                    if (!bridge.kind.equals("bridge")) {
                        throw new Refused(2, "RTNETLINK answers: Operation not supported");
                    }
                    state.master = what.get(1);
                }
                case "netns" -> {
                    String target = what.get(1);
                    if (!namespaces.contains(target)) {
                        throw new Refused(255, "Cannot find netns \"" + target + "\"");
                    }
                    links.remove(new Link(ns, name));
                    // Moving takes the link down and its addresses away, as the kernel does.
                    state.up = false;
                    state.addresses.clear();
                    links.put(new Link(target, name), state);
                    if (state.peer != null) {
                        links.get(new Link(state.peerNamespace, state.peer)).peerNamespace = target;
                    }
                }
                default -> unknown(argv);
            }
            return Answer.OK;
        }
        return unknown(argv);
    }

    /**
     * {@code ip link add name X [mtu N] up type vxlan id V local L remote R dstport P dev U}: a VXLAN link, up, whose id
     * no other VXLAN link of the namespace may use on the same port and local address (the kernel's rule).
     */
    private Answer addVxlan(String ns, List<String> argv, List<String> args) {
        List<String> rest = new ArrayList<>(args.subList(4, args.size()));
        int mtu = 1450;
        if (rest.get(0).equals("mtu")) {
            mtu = Integer.parseInt(rest.get(1));
            rest = rest.subList(2, rest.size());
        }
        if (rest.size() != 13 || !rest.subList(0, 4).equals(List.of("up", "type", "vxlan", "id"))
                || !rest.get(5).equals("local") || !rest.get(7).equals("remote") || !rest.get(9).equals("dstport")
                || !rest.get(11).equals("dev")) {
            return unknown(argv);
        }
        if (!exists(ns, rest.get(12))) {
            throw new Refused(1, "Cannot find device \"" + rest.get(12) + "\"");
        }
        String key = rest.get(4) + " " + rest.get(10) + " " + rest.get(6);
        if (links.entrySet().stream().anyMatch(e -> e.getKey().namespace().equals(ns) && key.equals(e.getValue().vxlanKey))) {
            throw new Refused(2, "Error: A VXLAN device with the specified VNI already exists.");
        }
        LinkState vxlan = new LinkState("vxlan");
        vxlan.up = true;
        vxlan.mtu = mtu;
        vxlan.vxlanKey = key;
        links.put(new Link(ns, args.get(3)), vxlan);
        return Answer.OK;
    }

    /** The MTU of a link of the host's namespace (for assertions); an Open vSwitch bridge's is its request's. */
    public synchronized int linkMtu(String name) {
        LinkState state = links.get(new Link(HOST_NS, name));
        if (state == null) {
            throw new AssertionError("no link " + name);
        }
        return ovsMtuRequests.getOrDefault(name, state.mtu);
    }

    /** Makes a VXLAN link of id {@code vni} on port 4789 from {@code local} that is not virtunit's (another tool's). */
    public synchronized void foreignVxlan(String name, int vni, String local) {
        LinkState vxlan = new LinkState("foreign vxlan");
        vxlan.vxlanKey = vni + " 4789 " + local;
        links.put(new Link(HOST_NS, name), vxlan);
        foreign.add(name);
    }

    private Answer ipAddress(String ns, List<String> argv, List<String> args) {
        if (args.equals(List.of("addr")) && argv.contains("-o")) {
            StringBuilder out = new StringBuilder();
            int index = 1;
            for (Map.Entry<Link, LinkState> entry : links.entrySet()) {
                if (entry.getKey().namespace().equals(ns)) {
                    for (Cidr address : entry.getValue().addresses) {
                        out.append(index).append(": ").append(entry.getKey().name()).append("    inet ")
                                .append(address).append(" scope global ").append(entry.getKey().name())
                                .append("\\       valid_lft forever preferred_lft forever\n");
                    }
                    index++;
                }
            }
            return Answer.out(out.toString());
        }
        if (args.size() == 5 && args.get(0).equals("address") && args.get(1).equals("add") && args.get(3).equals("dev")) {
            failIfChosen(argv, 2, "RTNETLINK answers: Operation not permitted");
            Cidr cidr = Cidr.parse(args.get(2));
            String name = args.get(4);
            if (isExternal(ns, name)) {
                return unknown(argv);
            }
            LinkState state = state(ns, name, argv);
            if (state.addresses.contains(cidr)) {
                throw new Refused(2, "RTNETLINK answers: File exists");
            }
            state.addresses.add(cidr);
            return Answer.OK;
        }
        return unknown(argv);
    }

    /** {@code neigh replace ADDR lladdr MAC dev LINK nud reachable} and {@code neigh flush to ADDR dev LINK}. */
    private Answer ipNeigh(String ns, List<String> argv, List<String> args) {
        boolean replace = args.size() == 9 && args.get(1).equals("replace") && args.get(3).equals("lladdr")
                && args.get(5).equals("dev") && args.subList(7, 9).equals(List.of("nud", "reachable"));
        boolean flush = args.size() == 6 && args.subList(1, 3).equals(List.of("flush", "to")) && args.get(4).equals("dev");
        if (!replace && !flush) {
            return unknown(argv);
        }
        String device = args.get(replace ? 6 : 5);
        LinkState state = links.get(new Link(ns, device));
        if (state == null) {
            throw new Refused(1, "Cannot find device \"" + device + "\"");
        }
        if (replace) {
            failIfChosen(argv, 2, "RTNETLINK answers: Operation not permitted");
            state.neighbours.put(args.get(2), args.get(4));
        } else {
            state.neighbours.remove(args.get(3));
        }
        return Answer.OK;
    }

    private Answer ipRoute(String ns, List<String> argv, List<String> args) {
        if (args.equals(List.of("route", "show", "table", "all"))) {
            StringBuilder out = new StringBuilder();
            if (ns.isEmpty()) {
                out.append("default via 192.0.2.1 dev ").append(UPLINK).append(" onlink\n");
            }
            routes.stream().filter(r -> r.namespace().equals(ns)).forEach(r ->
                    out.append(r.destination()).append(" via ").append(r.gateway()).append('\n'));
            links.forEach((link, state) -> {
                if (link.namespace().equals(ns) && state.up) {
                    state.addresses.forEach(address -> out.append(address.network()).append(" dev ").append(link.name())
                            .append(" proto kernel scope link src ").append(address.addressText()).append('\n'));
                }
            });
            return Answer.out(out.toString());
        }
        if (args.size() == 5 && args.get(1).equals("add") && args.get(3).equals("via") && !ns.isEmpty()) {
            failIfChosen(argv, 2, "RTNETLINK answers: Operation not permitted");
            String destination = args.get(2);
            String gateway = args.get(4);
            boolean reachable = links.entrySet().stream().anyMatch(e -> e.getKey().namespace().equals(ns)
                    && e.getValue().up && e.getValue().addresses.stream().anyMatch(a -> a.contains(gateway)));
            if (!reachable) {
                throw new Refused(2, "Error: Nexthop has invalid gateway.");
            }
            if (routes.stream().anyMatch(r -> r.namespace().equals(ns) && r.destination().equals(destination))) {
                throw new Refused(2, "RTNETLINK answers: File exists");
            }
            routes.add(new Route(ns, destination, gateway));
            return Answer.OK;
        }
        return unknown(argv);
    }

    private Answer ipNetns(List<String> argv, List<String> args) {
        String verb = args.size() > 1 ? args.get(1) : "";
        switch (verb) {
            case "list" -> {
                StringBuilder out = new StringBuilder();
                int id = 0;
                for (String ns : namespaces) {
                    out.append(ns).append(" (id: ").append(id++).append(")\n");
                }
                return Answer.out(out.toString());
            }
            case "add" -> {
                String ns = args.get(2);
                failIfChosen(argv, 1, "mount --make-shared /run/netns failed: Operation not permitted");
                if (namespaces.contains(ns)) {
                    throw new Refused(1, "Cannot create namespace file \"/run/netns/" + ns + "\": File exists");
                }
                namespaces.add(ns);
                links.put(new Link(ns, "lo"), new LinkState("loopback"));
                return Answer.OK;
            }
            case "del" -> {
                String ns = args.get(2);
                failIfChosen(argv, 1, "Cannot remove namespace file \"/run/netns/" + ns + "\": Operation not permitted");
                if (!namespaces.remove(ns)) {
                    throw new Refused(1, "Cannot remove namespace file \"/run/netns/" + ns
                            + "\": No such file or directory");
                }
                boolean keptAlive = started.stream().anyMatch(s -> s.namespace().equals(ns) && s.process().isAlive());
                if (keptAlive) {
                    // A process inside keeps the namespace and its links alive, nameless: still ours, still there.
                    namespaces.add("(deleted, kept alive by a process) " + ns);
                    return Answer.OK;
                }
                for (Link link : List.copyOf(links.keySet())) {
                    if (link.namespace().equals(ns) && links.containsKey(link)) {
                        delete(link, links.get(link));
                    }
                }
                routes.removeIf(r -> r.namespace().equals(ns));
                return Answer.OK;
            }
            case "pids" -> {
                String ns = args.get(2);
                if (!namespaces.contains(ns)) {
                    throw new Refused(1, "Cannot open network namespace \"" + ns + "\": No such file or directory");
                }
                StringBuilder out = new StringBuilder();
                started.stream().filter(s -> s.namespace().equals(ns) && s.process().isAlive())
                        .forEach(s -> out.append(s.process().pid()).append('\n'));
                return Answer.out(out.toString());
            }
            case "exec" -> {
                String ns = args.get(2);
                if (!namespaces.contains(ns)) {
                    throw new Refused(1, "Cannot open network namespace \"" + ns + "\": No such file or directory");
                }
                return answer(ns, args.subList(3, args.size()));
            }
            default -> {
                return unknown(argv);
            }
        }
    }

    private boolean exists(String ns, String name) {
        return links.containsKey(new Link(ns, name)) || isExternal(ns, name);
    }

    private boolean isExternal(String ns, String name) {
        return ns.isEmpty() && externalLinks.get().contains(name);
    }

    private LinkState state(String ns, String name, List<String> argv) {
        LinkState state = links.get(new Link(ns, name));
        if (state == null) {
            throw new Refused(1, "Cannot find device \"" + name + "\"");
        }
        return state;
    }

    /** Deletes a link; a veth's peer goes with it, wherever it is, and a bridge's ports leave it. */
    private void delete(Link link, LinkState state) {
        links.remove(link);
        if (state.peer != null) {
            links.remove(new Link(state.peerNamespace, state.peer));
        }
        links.values().forEach(other -> {
            if (link.name().equals(other.master)) {
                other.master = null;
            }
        });
    }

    // ---- ethtool, kill, sysctl ----

    private Answer ethtool(String ns, List<String> argv) {
        if (argv.size() != 5 || !argv.get(1).equals("-K") || !argv.subList(3, 5).equals(List.of("tx", "off"))) {
            return unknown(argv);
        }
        failIfChosen(argv, 1, "Cannot set device feature settings: Operation not permitted");
        String name = argv.get(2);
        if (isExternal(ns, name)) {
            return Answer.OK;
        }
        LinkState state = links.get(new Link(ns, name));
        if (state == null) {
            throw new Refused(1, "netlink error: no device matches name (offset 24)\nnetlink error: No such device");
        }
        state.txOffload = false;
        return Answer.OK;
    }

    private Answer kill(List<String> argv) {
        if (argv.size() < 4 || !argv.get(1).equals("-s") || !List.of("TERM", "KILL").contains(argv.get(2))) {
            return unknown(argv);
        }
        failIfChosen(argv, 1, "kill: (" + argv.get(3) + ") - Operation not permitted");
        StringBuilder missing = new StringBuilder();
        for (String pid : argv.subList(3, argv.size())) {
            RecordingHostCommands.FakeProcess process = started.stream().map(Started::process)
                    .filter(p -> p.pid() == Long.parseLong(pid) && p.isAlive()).findFirst().orElse(null);
            if (process == null) {
                missing.append("kill: (").append(pid).append(") - No such process\n");
            } else if (argv.get(2).equals("TERM")) {
                process.terminate();
            } else {
                process.kill();
            }
        }
        return missing.isEmpty() ? Answer.OK : Answer.error(1, missing.toString());
    }

    private Answer sysctl(List<String> argv) {
        if (argv.size() == 3 && argv.get(1).equals("-n")) {
            String value = sysctls.get(argv.get(2));
            return value == null ? Answer.error(255, "sysctl: cannot stat /proc/sys/" + argv.get(2).replace('.', '/')
                    + ": No such file or directory") : Answer.out(value + "\n");
        }
        if (argv.size() == 3 && argv.get(1).equals("-N")) {
            return sysctls.containsKey(argv.get(2)) ? Answer.out(argv.get(2) + "\n") : Answer.error(255, "");
        }
        if (argv.size() == 4 && argv.subList(1, 3).equals(List.of("-q", "-w")) && argv.get(3).contains("=")) {
            String key = argv.get(3).substring(0, argv.get(3).indexOf('='));
            failIfChosen(argv, 255, "sysctl: permission denied on key \"" + key + "\"");
            if (!sysctls.containsKey(key)) {
                throw new Refused(255, "sysctl: cannot stat /proc/sys/" + key.replace('.', '/')
                        + ": No such file or directory");
            }
            sysctls.put(key, argv.get(3).substring(argv.get(3).indexOf('=') + 1));
            return Answer.OK;
        }
        return unknown(argv);
    }

    // ---- ovs-vsctl ----

    private Answer ovsVsctl(List<String> argv) {
        List<List<String>> commands = new ArrayList<>();
        List<String> current = new ArrayList<>();
        for (String arg : argv.subList(1, argv.size())) {
            if (arg.equals("--")) {
                commands.add(current);
                current = new ArrayList<>();
            } else if (!arg.startsWith("--timeout=")) {
                current.add(arg);
            }
        }
        commands.add(current);
        boolean changes = commands.stream().anyMatch(c -> !c.isEmpty() && !List.of("get", "list-br", "list-ports",
                "br-get-external-id").contains(verb(c)));
        if (changes) {
            failIfChosen(argv, 1, "ovs-vsctl: unix:/var/run/openvswitch/db.sock: database connection failed "
                    + "(Permission denied)");
        }
        // One transaction: checked on a copy, kept only when every command succeeded.
        Map<String, Map<String, String>> bridges = new TreeMap<>();
        ovsBridges.forEach((name, ids) -> bridges.put(name, new TreeMap<>(ids)));
        Map<String, String> ports = new TreeMap<>(ovsPorts);
        Map<String, Integer> tags = new TreeMap<>(ovsTags);
        mtuRequests = new TreeMap<>(ovsMtuRequests);
        StringBuilder out = new StringBuilder();
        for (List<String> command : commands) {
            out.append(ovsCommand(argv, command, bridges, ports, tags));
        }
        Set<String> gone = new LinkedHashSet<>(ovsBridges.keySet());
        gone.removeAll(bridges.keySet());
        gone.forEach(bridge -> links.remove(new Link(HOST_NS, bridge)));
        // With the userspace datapath ovs-vswitchd makes the bridge's own interface, a tap, right after add-br.
        bridges.keySet().stream().filter(bridge -> !ovsBridges.containsKey(bridge))
                .forEach(bridge -> links.put(new Link(HOST_NS, bridge), new LinkState("ovs-internal")));
        ovsBridges.clear();
        ovsBridges.putAll(bridges);
        ovsPorts.clear();
        ovsPorts.putAll(ports);
        ovsTags.clear();
        ovsTags.putAll(tags);
        // An interface's request goes with its bridge or port.
        mtuRequests.keySet().removeIf(name -> !bridges.containsKey(name) && !ports.containsKey(name));
        ovsMtuRequests.clear();
        ovsMtuRequests.putAll(mtuRequests);
        return Answer.out(out.toString());
    }

    private static String verb(List<String> command) {
        return command.stream().filter(arg -> !arg.startsWith("--")).findFirst().orElse("");
    }

    private String ovsCommand(List<String> argv, List<String> command, Map<String, Map<String, String>> bridges,
                              Map<String, String> ports, Map<String, Integer> tags) {
        boolean mayExist = command.contains("--may-exist");
        boolean ifExists = command.contains("--if-exists");
        List<String> args = command.stream().filter(arg -> !arg.startsWith("--")).toList();
        String verb = args.isEmpty() ? "" : args.get(0);
        switch (verb) {
            case "add-br" -> {
                String bridge = args.get(1);
                if (bridges.containsKey(bridge) && !mayExist) {
                    throw new Refused(1, "ovs-vsctl: cannot create a bridge named " + bridge
                            + " because a bridge named " + bridge + " already exists");
                }
                if (exists(HOST_NS, bridge) && !bridges.containsKey(bridge)) {
                    throw new Refused(1, "ovs-vsctl: Error detected while setting up '" + bridge + "': could not add "
                            + "network device " + bridge + " to ofproto (File exists)");
                }
                bridges.putIfAbsent(bridge, new TreeMap<>());
                return "";
            }
            case "del-br" -> {
                String bridge = args.get(1);
                if (bridges.remove(bridge) == null && !ifExists) {
                    throw new Refused(1, "ovs-vsctl: no bridge named " + bridge);
                }
                ports.values().removeIf(bridge::equals);
                return "";
            }
            case "set" -> {
                if (args.get(1).equals("bridge")) {
                    Map<String, String> ids = bridges.get(args.get(2));
                    if (ids == null) {
                        throw new Refused(1, "ovs-vsctl: no row \"" + args.get(2) + "\" in table Bridge");
                    }
                    args.subList(3, args.size()).forEach(pair -> ids.put(pair.substring(0, pair.indexOf('=')),
                            pair.substring(pair.indexOf('=') + 1)));
                    return "";
                }
                if (args.get(1).equals("interface") && args.size() == 4 && args.get(3).startsWith("mtu_request=")) {
                    // The bridge's own interface (named as the bridge) or a port's.
                    if (!bridges.containsKey(args.get(2)) && !ports.containsKey(args.get(2))) {
                        throw new Refused(1, "ovs-vsctl: no row \"" + args.get(2) + "\" in table Interface");
                    }
                    mtuRequests.put(args.get(2), Integer.parseInt(args.get(3).substring("mtu_request=".length())));
                    return "";
                }
                if (args.get(1).equals("port") && args.size() == 4 && args.get(3).startsWith("tag=")) {
                    requirePort(ports, args.get(2));
                    tags.put(args.get(2), Integer.parseInt(args.get(3).substring(4)));
                    return "";
                }
                throw refuse(argv);
            }
            case "clear" -> {
                if (args.equals(List.of("clear", "port", args.get(2), "tag"))) {
                    requirePort(ports, args.get(2));
                    tags.remove(args.get(2));
                    return "";
                }
                throw refuse(argv);
            }
            case "add-port" -> {
                String bridge = args.get(1);
                String port = args.get(2);
                if (!bridges.containsKey(bridge)) {
                    throw new Refused(1, "ovs-vsctl: no bridge named " + bridge);
                }
                if (ports.containsKey(port) && !(mayExist && ports.get(port).equals(bridge))) {
                    throw new Refused(1, "ovs-vsctl: cannot create a port named " + port
                            + " because a port named " + port + " already exists on bridge " + ports.get(port));
                }
                ports.put(port, bridge);
                args.subList(3, args.size()).forEach(option -> {
                    if (!option.startsWith("tag=")) {
                        throw refuse(argv);
                    }
                    tags.put(port, Integer.parseInt(option.substring(4)));
                });
                return "";
            }
            case "del-port" -> {
                String bridge = args.get(1);
                String port = args.get(2);
                if (!bridge.equals(ports.get(port))) {
                    if (!ifExists) {
                        throw new Refused(1, "ovs-vsctl: bridge " + bridge + " does not have a port " + port);
                    }
                    return "";
                }
                ports.remove(port);
                tags.remove(port);
                return "";
            }
            case "get" -> {
                if (args.size() == 4 && args.get(1).equals("interface") && args.get(3).equals("error")) {
                    requirePort(ports, args.get(2));
                    return exists(HOST_NS, args.get(2)) ? "[]\n"
                            : "\"could not open network device " + args.get(2) + " (No such device)\"\n";
                }
                if (args.size() == 4 && args.get(1).equals("port") && args.get(3).equals("tag")) {
                    requirePort(ports, args.get(2));
                    return tags.containsKey(args.get(2)) ? tags.get(args.get(2)) + "\n" : "[]\n";
                }
                throw refuse(argv);
            }
            case "list-br" -> {
                StringBuilder out = new StringBuilder();
                bridges.keySet().forEach(bridge -> out.append(bridge).append('\n'));
                return out.toString();
            }
            case "list-ports" -> {
                StringBuilder out = new StringBuilder();
                ports.forEach((port, bridge) -> {
                    if (bridge.equals(args.get(1))) {
                        out.append(port).append('\n');
                    }
                });
                return out.toString();
            }
            case "br-get-external-id" -> {
                Map<String, String> ids = bridges.get(args.get(1));
                if (ids == null) {
                    throw new Refused(1, "ovs-vsctl: no bridge named " + args.get(1));
                }
                StringBuilder out = new StringBuilder();
                ids.forEach((key, value) -> {
                    if (key.startsWith("external_ids:")) {
                        out.append(key.substring("external_ids:".length())).append('=').append(value).append('\n');
                    }
                });
                return out.toString();
            }
            default -> throw refuse(argv);
        }
    }

    private static void requirePort(Map<String, String> ports, String port) {
        if (!ports.containsKey(port)) {
            throw new Refused(1, "ovs-vsctl: no row \"" + port + "\" in table Port");
        }
    }

    // ---- ovs-ofctl ----

    private Answer ovsOfctl(List<String> argv) {
        if (argv.size() != 4 && !(argv.size() == 3 && argv.get(1).startsWith("dump-"))) {
            return unknown(argv);
        }
        String bridge = argv.get(2);
        if (!ovsBridges.containsKey(bridge)) {
            throw new Refused(1, "ovs-ofctl: " + bridge + " is not a bridge or a socket");
        }
        List<String> list = flows.computeIfAbsent(bridge, b -> new ArrayList<>());
        switch (argv.get(1)) {
            case "add-flow" -> {
                failIfChosen(argv, 1, "ovs-ofctl: " + bridge + ": failed to connect to socket (Permission denied)");
                list.add(argv.get(3));
            }
            case "del-flows" -> {
                String cookie = argv.get(3);
                if (!cookie.startsWith("cookie=") || !cookie.endsWith("/-1")) {
                    return unknown(argv);
                }
                failIfChosen(argv, 1, "ovs-ofctl: " + bridge + ": failed to connect to socket (Permission denied)");
                String mark = cookie.substring(0, cookie.length() - 3) + ",";
                list.removeIf(flow -> flow.startsWith(mark));
            }
            case "dump-flows" -> {
                StringBuilder out = new StringBuilder();
                list.forEach(flow -> out.append(" ").append(flow.replace(",priority", ", n_packets=0, n_bytes=0, priority"))
                        .append('\n'));
                out.append(" cookie=0x0, n_packets=0, n_bytes=0, priority=0 actions=NORMAL\n");
                return Answer.out(out.toString());
            }
            case "dump-ports" -> {
                return Answer.out("OFPST_PORT reply (xid=0x2): " + ovsPorts.values().stream().filter(bridge::equals).count()
                        + " ports\n");
            }
            default -> {
                return unknown(argv);
            }
        }
        if (list.isEmpty()) {
            flows.remove(bridge);
        }
        return Answer.OK;
    }

    // ---- tc ----

    private Answer tc(List<String> argv) {
        if (argv.size() == 6 && argv.subList(1, 4).equals(List.of("-s", "qdisc", "show")) && argv.get(4).equals("dev")) {
            String qdisc = qdiscs.getOrDefault(argv.get(5), "noqueue 0: root refcnt 2");
            return Answer.out("qdisc " + qdisc + "\n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0)\n");
        }
        if (argv.size() < 6 || !argv.get(1).equals("qdisc") || !argv.get(3).equals("dev") || !argv.get(5).equals("root")) {
            return unknown(argv);
        }
        String device = argv.get(4);
        if (!exists(HOST_NS, device)) {
            throw new Refused(1, "Cannot find device \"" + device + "\"");
        }
        switch (argv.get(2)) {
            case "replace" -> {
                if (argv.size() < 8 || !List.of("netem", "tbf").contains(argv.get(6))) {
                    return unknown(argv);
                }
                failIfChosen(argv, 2, "Error: Specified qdisc kind is unknown.");
                qdiscs.put(device, String.join(" ", argv.subList(6, argv.size())));
            }
            case "del" -> {
                failIfChosen(argv, 2, "RTNETLINK answers: Operation not permitted");
                if (qdiscs.remove(device) == null) {
                    throw new Refused(2, "Error: Cannot delete qdisc with handle of zero.");
                }
            }
            default -> {
                return unknown(argv);
            }
        }
        return Answer.OK;
    }

    // ---- nft ----

    private Answer nft(List<String> argv) {
        List<String> args = argv.subList(1, argv.size());
        if (args.equals(List.of("list", "tables"))) {
            // What the sweep reads at a lab's start.
            StringBuilder out = new StringBuilder();
            nftTables.keySet().forEach(table -> out.append("table ip ").append(table).append('\n'));
            return Answer.out(out.toString());
        }
        if (args.size() == 4 && args.subList(0, 3).equals(List.of("list", "table", "ip"))) {
            String table = nftTables.get(args.get(3));
            return table == null ? Answer.error(1, "Error: No such file or directory\nlist table ip " + args.get(3))
                    : Answer.out(table);
        }
        if (args.size() == 4 && args.subList(0, 3).equals(List.of("delete", "table", "ip"))) {
            failIfChosen(argv, 1, "Error: Could not process rule: Operation not permitted");
            if (nftTables.remove(args.get(3)) == null) {
                throw new Refused(1, "Error: Could not process rule: No such file or directory\ndelete table ip "
                        + args.get(3));
            }
            return Answer.OK;
        }
        if (args.size() == 4 && args.subList(0, 2).equals(List.of("delete", "table"))
                && List.of("bridge", "netdev").contains(args.get(2))) {
            failIfChosen(argv, 1, "Error: Could not process rule: Operation not permitted");
            if (nftBridgeTables.remove(args.get(2) + " " + args.get(3)) == null) {
                throw new Refused(1, "Error: Could not process rule: No such file or directory\ndelete table "
                        + args.get(2) + " " + args.get(3));
            }
            return Answer.OK;
        }
        if (args.size() == 5 && args.subList(0, 3).equals(List.of("list", "counter", "ip"))) {
            if (!nftTables.containsKey(args.get(3)) || !nftTables.get(args.get(3)).contains("counter " + args.get(4) + " ")) {
                throw new Refused(1, "Error: No such file or directory");
            }
            return Answer.out("table ip " + args.get(3) + " {\n\tcounter " + args.get(4)
                    + " {\n\t\tpackets 0 bytes 0\n\t}\n}\n");
        }
        return unknown(argv);
    }

    /** An {@code nft -f -} script of the shapes {@code NatRules} writes, run as one transaction. */
    private Answer nftScript(List<String> argv, String script) {
        Map<String, String> tables = new TreeMap<>(nftTables);
        Map<String, String> bridgeTables = new TreeMap<>(nftBridgeTables);
        List<String> lines = script.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.startsWith("add table ip ")) {
                tables.putIfAbsent(line.substring("add table ip ".length()), "");
            } else if (line.startsWith("delete table ip ")) {
                if (tables.remove(line.substring("delete table ip ".length())) == null) {
                    throw new Refused(1, "Error: Could not process rule: No such file or directory\n" + line);
                }
            } else if ((line.startsWith("table ip ") || line.startsWith("table bridge ") || line.startsWith("table netdev "))
                    && line.endsWith(" {")) {
                boolean bridgeFamily = !line.startsWith("table ip ");
                String name = bridgeFamily ? line.substring("table ".length(), line.length() - 2)
                        : line.substring("table ip ".length(), line.length() - 2);
                StringBuilder body = new StringBuilder(lines.get(i)).append('\n');
                int depth = 1;
                while (depth > 0 && ++i < lines.size()) {
                    String inner = lines.get(i);
                    depth += inner.endsWith("{") ? 1 : 0;
                    depth -= inner.strip().equals("}") ? 1 : 0;
                    body.append(inner).append('\n');
                }
                (bridgeFamily ? bridgeTables : tables).put(name, body.toString());
            } else if (!line.isEmpty()) {
                return unknown(argv);
            }
        }
        nftTables.clear();
        nftTables.putAll(tables);
        nftBridgeTables.clear();
        nftBridgeTables.putAll(bridgeTables);
        return Answer.OK;
    }
}
