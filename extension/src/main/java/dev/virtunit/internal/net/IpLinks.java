package dev.virtunit.internal.net;

import dev.virtunit.Cidr;
import dev.virtunit.internal.host.CommandFailedException;
import dev.virtunit.internal.host.CommandResult;
import dev.virtunit.internal.host.HostCommands;

import java.util.ArrayList;
import java.util.List;

/**
 * The host's links, through {@code ip link}, {@code ip address} and {@code ethtool}: Linux bridges, veth pairs,
 * addresses, ARP, NIC offloads, and links moved into a network namespace and set up there. Names are checked by
 * {@link NetworkNames} first, because the kernel's own complaint rarely names them. Deletion is idempotent, so
 * teardown can run it after a creation that failed half-way.
 *
 * @since 0.2
 */
public final class IpLinks {

    private final NetCommands commands;

    public IpLinks(HostCommands host) {
        this.commands = new NetCommands(host);
    }

    /**
     * Creates a Linux bridge and brings it up. STP is off and the forward delay 0 so that a port forwards the moment
     * it is added: with STP a test would wait 30 s for the listening and learning states.
     */
    public void addBridge(String name) {
        NetworkNames.interfaceName(name);
        commands.ip("create bridge " + name, "link", "add", "name", name, "type", "bridge", "stp_state", "0",
                "forward_delay", "0");
        linkUp(name);
    }

    /**
     * Creates a veth pair {@code name}/{@code peer} and brings both ends up. {@code name} comes up as it is created
     * (one command less); the kernel refuses that for the peer ({@code Transport endpoint is not connected}: it is
     * made before its other end exists), so the peer is brought up after.
     */
    public void addVethPair(String name, String peer) {
        checkVethEnds(name, peer);
        commands.ip("create veth pair " + name + "/" + peer, "link", "add", "name", name, "up", "type", "veth",
                "peer", "name", peer);
        linkUp(peer);
    }

    /**
     * Creates a veth pair with {@code name} in the host's namespace, up, and {@code peer} made directly inside
     * {@code namespace}, down and without addresses (what {@link #moveToNamespace} leaves): one command instead of
     * a pair, two {@code up}s and a move.
     *
     * @since 0.4
     */
    public void addVethPairInto(String name, String peer, String namespace) {
        checkVethEnds(name, peer);
        NetworkNames.namespaceName(namespace);
        commands.ip("create veth pair " + name + "/" + peer + " with " + peer + " in namespace " + namespace, "link",
                "add", "name", name, "up", "type", "veth", "peer", "name", peer, "netns", namespace);
    }

    private static void checkVethEnds(String name, String peer) {
        NetworkNames.interfaceName(name);
        NetworkNames.interfaceName(peer);
        if (name.equals(peer)) {
            throw new IllegalArgumentException("veth ends must differ, both are '" + name + "'");
        }
    }

    /** The VXLAN header and the outer IPv4 and UDP headers with the inner Ethernet header: what a tunnel costs. */
    public static final int VXLAN_OVERHEAD = 50;

    /** The smallest MTU IPv4 allows a link, and the largest virtunit sets (an Ethernet frame, no jumbo frames). */
    public static final int MIN_MTU = 68;
    public static final int MAX_MTU = 1500;

    /**
     * Creates the kernel VXLAN link {@code name}, up: Ethernet frames put into it go in UDP ({@code port}, 4789 is
     * IANA's) from {@code local} to the tunnel's other end {@code remote} over {@code underlay}, tagged with
     * {@code vni}; the other end has the same link with the addresses swapped. A port of a bridge on each host joins
     * the two bridges into one segment. Its MTU is the underlay's less {@link #VXLAN_OVERHEAD} (the kernel sets it):
     * whatever sends into the segment must use that MTU or less, or large frames are dropped, not fragmented.
     *
     * @since 0.4
     */
    public void addVxlan(String name, int vni, String local, String remote, int port, String underlay) {
        addVxlan(name, vni, local, remote, port, underlay, 0);
    }

    /**
     * Like {@link #addVxlan(String, int, String, String, int, String)}, with the link's MTU set as it is made
     * ({@code mtu} 0: the kernel's, the underlay's less {@link #VXLAN_OVERHEAD}).
     *
     * @throws TunnelIdTakenException when another VXLAN link of this host uses {@code vni} on the same port and local
     *                                address: the kernel refuses a second, and the caller may try another id
     * @since 0.4
     */
    public void addVxlan(String name, int vni, String local, String remote, int port, String underlay, int mtu) {
        NetworkNames.interfaceName(name);
        NetworkNames.interfaceName(underlay);
        if (vni < 1 || vni > 0xFFFFFF || port < 1 || port > 65535 || !Cidr.isAddress(local) || !Cidr.isAddress(remote)
                || mtu != 0 && (mtu < MIN_MTU || mtu > MAX_MTU)) {
            throw new IllegalArgumentException("VXLAN link " + name + " (id " + vni + ", " + local + " to " + remote
                    + ", port " + port + (mtu == 0 ? "" : ", MTU " + mtu) + "): expected an id 1 to 16777215, IPv4 "
                    + "addresses at both ends, a UDP port 1 to 65535 and an MTU " + MIN_MTU + " to " + MAX_MTU);
        }
        List<String> argv = new ArrayList<>(List.of("ip", "link", "add", "name", name));
        if (mtu != 0) {
            argv.addAll(List.of("mtu", Integer.toString(mtu)));
        }
        argv.addAll(List.of("up", "type", "vxlan", "id", Integer.toString(vni), "local", local, "remote", remote,
                "dstport", Integer.toString(port), "dev", underlay));
        String what = "create VXLAN link " + name + " (id " + vni + ", " + local + " to " + remote + " over " + underlay + ")";
        CommandResult result = commands.run(argv);
        if (result.succeeded()) {
            return;
        }
        // Linux 6.x says so ("A VXLAN device with the specified VNI already exists."); older kernels only "File
        // exists", which a link of the same name gives too: then the name is what is taken, not the id.
        boolean idTaken = result.stderr().contains("VNI already exists")
                || result.stderr().contains("File exists") && !linkExists(name);
        if (idTaken) {
            throw new TunnelIdTakenException(vni, "cannot " + what + ": tunnel id " + vni + " is in use by another "
                    + "VXLAN link of this host on port " + port + " (ip -d link show type vxlan): choose another id: "
                    + CommandFailedException.exited(result).getMessage(), null);
        }
        throw NetCommands.failed(what, result);
    }

    /** Sets the MTU of {@code link}: the largest IP packet it sends or takes in one frame. */
    public void setMtu(String link, int mtu) {
        NetworkNames.interfaceName(link);
        if (mtu < MIN_MTU || mtu > MAX_MTU) {
            throw new IllegalArgumentException("MTU " + mtu + " for " + link + ": expected " + MIN_MTU + " to " + MAX_MTU);
        }
        commands.ip("set the MTU of " + link + " to " + mtu, "link", "set", "dev", link, "mtu", Integer.toString(mtu));
    }

    /** The MTU of {@code link} ({@code ip -o link show}: "... mtu 1500 ..."), e.g. of the underlay of a tunnel. */
    public int mtu(String link) {
        NetworkNames.interfaceName(link);
        String line = commands.ip("read the MTU of " + link, "-o", "link", "show", "dev", link).stdout();
        java.util.regex.Matcher mtu = java.util.regex.Pattern.compile(" mtu (\\d+) ").matcher(line);
        if (!mtu.find()) {
            throw new IllegalStateException("ip -o link show dev " + link + " names no MTU: " + line.strip());
        }
        return Integer.parseInt(mtu.group(1));
    }

    /** Makes {@code link} a port of the Linux bridge {@code bridge}. */
    public void setMaster(String link, String bridge) {
        NetworkNames.interfaceName(link);
        NetworkNames.interfaceName(bridge);
        commands.ip("add " + link + " to bridge " + bridge, "link", "set", "dev", link, "master", bridge);
    }

    /** Adds an address such as {@code 192.168.231.1/24} to {@code link}. */
    public void addAddress(String link, String cidr) {
        NetworkNames.interfaceName(link);
        Cidr.parse(cidr);
        commands.ip("add address " + cidr + " to " + link, "address", "add", cidr, "dev", link);
    }

    /** Adds an address to {@code link} inside {@code namespace}. */
    public void addAddressIn(String namespace, String link, String cidr) {
        NetworkNames.namespaceName(namespace);
        NetworkNames.interfaceName(link);
        Cidr.parse(cidr);
        commands.ip("add address " + cidr + " to " + link + " in namespace " + namespace,
                "-n", namespace, "address", "add", cidr, "dev", link);
    }

    /**
     * Turns ARP on or off on {@code link}. Needed on a bridge's own interface when the guests' gateway address is on
     * a veth end plugged into that bridge: Linux answers ARP for any of the host's addresses on any interface
     * ({@code arp_ignore=0}), so the bridge's interface answers the guests' "who has the gateway" too, with its own
     * MAC. Its answer usually arrives first (no veth hop) and wins; the guests then send to the bridge's interface,
     * the host routes from there, and the traffic never crosses the veth: the topology silently becomes "gateway on
     * the bridge". With ARP off the bridge's interface stays a pure switch port and only the veth end answers.
     */
    public void setArp(String link, boolean on) {
        NetworkNames.interfaceName(link);
        commands.ip("turn ARP " + (on ? "on" : "off") + " on " + link, "link", "set", "dev", link, "arp", on ? "on" : "off");
    }

    /**
     * Tells the host that {@code address} on {@code link} has {@code mac}, as if it had asked by ARP. The entry is
     * {@code reachable}, not permanent: after the kernel's reachable time it is checked again like any it learned.
     */
    public void addNeighbour(String link, String address, String mac) {
        NetworkNames.interfaceName(link);
        if (!Cidr.isAddress(address) || !mac.matches("[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}")) {
            throw new IllegalArgumentException("neighbour " + address + " at " + mac + " on " + link
                    + ": expected an IPv4 address and a MAC such as 52:54:00:12:34:56");
        }
        commands.ip("add neighbour " + address + " (" + mac + ") on " + link, "neigh", "replace", address, "lladdr",
                mac, "dev", link, "nud", "reachable");
    }

    /** Forgets what the host knows of {@code address} on {@code link}; nothing to do when neither is there. */
    public void deleteNeighbour(String link, String address) {
        NetworkNames.interfaceName(link);
        if (!Cidr.isAddress(address)) {
            throw new IllegalArgumentException("neighbour " + address + " on " + link + ": not an IPv4 address");
        }
        if (!linkExists(link)) {
            return;   // the entry went with its link
        }
        // flush, unlike del, succeeds when there is no such entry
        commands.ip("forget neighbour " + address + " on " + link, "neigh", "flush", "to", address, "dev", link);
    }

    public void linkUp(String link) {
        NetworkNames.interfaceName(link);
        commands.ip("bring " + link + " up", "link", "set", "dev", link, "up");
    }

    /**
     * Brings {@code link} up, with ARP turned off in the same command when {@code arpOff}, if it exists.
     *
     * @return false when there is no such link (yet): nothing was done
     * @since 0.4
     */
    public boolean linkUpIfPresent(String link, boolean arpOff) {
        NetworkNames.interfaceName(link);
        List<String> argv = new ArrayList<>(List.of("ip", "link", "set", "dev", link));
        if (arpOff) {
            argv.addAll(List.of("arp", "off"));
        }
        argv.add("up");
        CommandResult result = commands.run(argv);
        if (result.succeeded()) {
            return true;
        }
        if (result.stderr().contains("Cannot find device") || result.stderr().contains("does not exist")) {
            return false;
        }
        throw NetCommands.failed("bring " + link + " up" + (arpOff ? " with ARP off" : ""), result);
    }

    public void linkUpIn(String namespace, String link) {
        NetworkNames.namespaceName(namespace);
        NetworkNames.interfaceName(link);
        commands.ip("bring " + link + " up in namespace " + namespace, "-n", namespace, "link", "set", "dev", link, "up");
    }

    /** Moves {@code link} from the host's namespace into {@code namespace}; it goes down on the way. */
    public void moveToNamespace(String link, String namespace) {
        NetworkNames.interfaceName(link);
        NetworkNames.namespaceName(namespace);
        commands.ip("move " + link + " into namespace " + namespace, "link", "set", "dev", link, "netns", namespace);
    }

    /** Deletes {@code name} if it exists; a veth's peer goes with it. */
    public void deleteLink(String name) {
        NetworkNames.interfaceName(name);
        if (!linkExists(name)) {
            return;
        }
        CommandResult result = commands.run(List.of("ip", "link", "del", "dev", name));
        // Between the check and the delete the link may have gone with its peer or its namespace: that is success.
        if (!result.succeeded() && linkExists(name)) {
            throw NetCommands.failed("delete link " + name, result);
        }
    }

    /** Whether a link of this name exists in the host's namespace. */
    public boolean linkExists(String name) {
        NetworkNames.interfaceName(name);
        CommandResult result = commands.run(List.of("ip", "-o", "link", "show", "dev", name));
        if (result.succeeded()) {
            return true;
        }
        // 'Device "x" does not exist.' when the name is unknown; "RTNETLINK answers: No such device" when it went in
        // between iproute2's name lookup and its request (a veth going with its namespace): both mean gone.
        if (result.stderr().contains("does not exist") || result.stderr().contains("No such device")) {
            return false;
        }
        throw NetCommands.failed("tell whether link " + name + " exists", result);
    }

    /** The names of the host namespace's links (a veth's {@code @peer} suffix removed). */
    public List<String> links() {
        return parseLinkNames(commands.ip("list links", "-o", "link", "show").stdout());
    }

    /** The link names in {@code ip -o link show} output. */
    static List<String> parseLinkNames(String ipOutput) {
        List<String> names = new ArrayList<>();
        for (String line : ipOutput.lines().toList()) {
            String[] fields = line.split(": ", 3);
            if (fields.length >= 2) {
                String name = fields[1].strip();
                int at = name.indexOf('@');
                names.add(at >= 0 ? name.substring(0, at) : name);
            }
        }
        return names;
    }

    /**
     * Turns transmit checksum offload off on {@code link}. Needed for every veth whose packets reach an Open vSwitch
     * bridge with the userspace datapath: the kernel leaves the checksum of an offloaded packet unfinished, the
     * userspace datapath reads the packet through a raw socket and passes it on as it is, and the receiver drops
     * it. ARP and ping survive (their checksums are never offloaded), TCP does not (shared/HOST.md). With offload
     * off the kernel completes the checksum before the packet leaves. What matters is the sending side, that is
     * the peer of the end plugged into the bridge; turning it off on both ends costs nothing measurable.
     */
    public void disableTxOffload(String link) {
        NetworkNames.interfaceName(link);
        commands.check("disable transmit checksum offload on " + link, List.of("ethtool", "-K", link, "tx", "off"));
    }

    /** Like {@link #disableTxOffload}, for a link inside namespace {@code namespace}. */
    public void disableTxOffloadIn(String namespace, String link) {
        NetworkNames.interfaceName(link);
        commands.check("disable transmit checksum offload on " + link + " in namespace " + namespace,
                NetworkNamespaces.inNamespace(namespace, List.of("ethtool", "-K", link, "tx", "off")));
    }
}
