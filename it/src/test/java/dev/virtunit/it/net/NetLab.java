package dev.virtunit.it.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.virtunit.internal.host.Command;
import dev.virtunit.internal.host.CommandResult;
import dev.virtunit.internal.lab.Teardown;
import dev.virtunit.Cidr;
import dev.virtunit.internal.net.EchoService;
import dev.virtunit.internal.net.HostNetworking;
import dev.virtunit.internal.net.IpLinks;
import dev.virtunit.internal.net.IpRoutes;
import dev.virtunit.internal.net.NatRules;
import dev.virtunit.internal.net.NatSpec;
import dev.virtunit.internal.net.NetProbe;
import dev.virtunit.internal.net.NetworkNamespaces;
import dev.virtunit.internal.net.NftCounter;
import dev.virtunit.internal.net.OpenVSwitch;
import dev.virtunit.internal.net.Routes;
import dev.virtunit.internal.net.Sysctls;
import dev.virtunit.internal.net.UpstreamNamespace;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * One test's network laboratory on the real host: bridges, veths, namespaces standing in for guests, an upstream
 * host and NAT tables, all named {@code vunt<4 hex>...} so that they are recognisably this suite's and this test's,
 * and all removed by {@link #close()} in reverse order of creation whether the test passed or not. Every removal is
 * registered before its creation.
 *
 * <p>Traffic rule (shared/HOST.md): probes go only to addresses in the subnets a lab creates. Subnets come from
 * 192.168.200-249.0/24 and are checked against the host's routes first.
 */
final class NetLab implements AutoCloseable {

    /** The prefix of everything the net ITs create. */
    static final String SUITE_PREFIX = "vunt";

    static final Duration PROBE_TIMEOUT = Duration.ofSeconds(3);
    static final Duration PEER_TIMEOUT = Duration.ofSeconds(15);

    /** A probe is a JVM start plus the probe's own timeout. */
    private static final Duration PROBE_COMMAND_TIMEOUT = Duration.ofSeconds(60);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** How a stand-in guest LAN reaches the host: the three topologies of the seed story. */
    enum Topology {
        /** Open vSwitch bridge (userspace datapath here) and a veth pair; the gateway address on the free veth end. */
        OVS_GATEWAY_ON_VETH,
        /** Linux bridge and a veth pair; the gateway address on the free veth end (the seed's broken NAT). */
        LINUX_GATEWAY_ON_VETH,
        /** Linux bridge with the gateway address on the bridge itself. */
        LINUX_GATEWAY_ON_BRIDGE
    }

    /**
     * A guest LAN: its bridge, the interface the guests' traffic enters the host from (where the gateway address
     * is: the NAT's bridge interface) and the subnet.
     */
    record Lan(Topology topology, String bridge, String gatewayInterface, Cidr gateway) {
        String subnet() {
            return gateway.network().toString();
        }

        /** {@code x.y.z.host/24} in this LAN. */
        String cidrOf(int host) {
            return Cidr.format(gateway.network().address() + host) + "/" + gateway.prefixLength();
        }
    }

    /** A network namespace standing in for a guest: attached to a LAN by a veth, with a default route via the gateway. */
    record Guest(String namespace, String address) {
    }

    final String id;
    final HostNetworking host = HostNetworking.local();
    final IpLinks links = host.links();
    final IpRoutes routes = host.routes();
    final NetworkNamespaces namespaces = host.namespaces();
    final Sysctls sysctls = host.sysctls();
    final OpenVSwitch ovs = host.ovs();
    private final Teardown teardown = new Teardown();

    private NetLab(String id) {
        this.id = id;
    }

    static NetLab create() {
        requireRoot();
        return new NetLab(SUITE_PREFIX + HexFormat.of().formatHex(RANDOM.generateSeed(2)));
    }

    static void requireRoot() {
        if (!"0".equals(Command.check(TIMEOUT, "id", "-u").stdout().strip())) {
            throw new IllegalStateException("the net integration tests change the host's networking and must run as root");
        }
    }

    /** {@code id + suffix}, within Linux's 15 characters. */
    String name(String suffix) {
        String name = id + suffix;
        if (name.length() > 15) {
            throw new IllegalArgumentException("test name " + name + " is longer than 15 characters");
        }
        return name;
    }

    // ---------------------------------------------------------------- host facts

    /**
     * {@code count} distinct 192.168.X.0/24 subnets, X in 200..249, that no route on the host touches, as the first
     * three octets ({@code 192.168.231}). Random, so that two tests (or engineers) rarely race for the same one.
     */
    List<String> freeSubnets(int count) {
        Routes routes = this.routes.routes();
        List<String> free = new ArrayList<>();
        for (int third = 200; third < 250; third++) {
            if (routes.isFree(Cidr.parse("192.168." + third + ".0/24"))) {
                free.add("192.168." + third);
            }
        }
        if (free.size() < count) {
            throw new IllegalStateException("fewer than " + count + " free subnets in 192.168.200-249.0/24: " + routes.lines());
        }
        Collections.shuffle(free, RANDOM);
        return List.copyOf(free.subList(0, count));
    }

    /**
     * The forwarding guard's drop counter ({@code inet virtunit_guard uplink_drops}), empty when the guard is not
     * installed (scripts/run-tests --no-guard).
     */
    static OptionalLong guardDrops() {
        CommandResult result = Command.run(TIMEOUT, "nft", "list", "counter", "inet", "virtunit_guard", "uplink_drops");
        return result.succeeded() ? OptionalLong.of(NftCounter.parse("uplink_drops", result.stdout()).packets()) : OptionalLong.empty();
    }

    /** Links, namespaces, nft tables and OVS bridges of this lab still on the host. */
    List<String> leftovers() {
        return leftoversWithPrefix(host, id);
    }

    static List<String> leftoversWithPrefix(HostNetworking host, String prefix) {
        List<String> found = new ArrayList<>();
        host.links().links().stream().filter(n -> n.startsWith(prefix)).forEach(n -> found.add("link " + n));
        host.namespaces().namespaces().stream().filter(n -> n.startsWith(prefix)).forEach(n -> found.add("netns " + n));
        host.ovs().bridges().stream().filter(n -> n.startsWith(prefix)).forEach(n -> found.add("ovs bridge " + n));
        Command.check(TIMEOUT, "nft", "list", "tables").stdout().lines()
                .map(line -> line.strip().split("\\s+"))
                .filter(fields -> fields.length == 3 && fields[2].startsWith(prefix))
                .forEach(fields -> found.add("nft table " + fields[1] + " " + fields[2]));
        return found;
    }

    // ---------------------------------------------------------------- building blocks

    String linuxBridge(String suffix) {
        String bridge = name(suffix);
        teardown.register("delete bridge " + bridge, () -> links.deleteLink(bridge));
        links.addBridge(bridge);
        return bridge;
    }

    String ovsBridge(String suffix) {
        String bridge = name(suffix);
        teardown.register("delete OVS bridge " + bridge, () -> ovs.deleteBridge(bridge));
        ovs.addBridge(bridge, Map.of("virtunit-run", id, "virtunit-pid", Long.toString(ProcessHandle.current().pid())));
        ovs.bridgeUp(bridge);
        return bridge;
    }

    void vethPair(String name, String peer) {
        teardown.register("delete veth " + name, () -> {
            links.deleteLink(name);
            links.deleteLink(peer);
        });
        links.addVethPair(name, peer);
    }

    String namespace(String suffix) {
        String namespace = name(suffix);
        teardown.register("delete namespace " + namespace, () -> namespaces.deleteNamespace(namespace));
        namespaces.addNamespace(namespace);
        return namespace;
    }

    /** A guest LAN of {@code topology} with gateway {@code <prefix>.1/24}. */
    Lan lan(Topology topology, String prefix) {
        Cidr gateway = Cidr.parse(prefix + ".1/24");
        switch (topology) {
            case OVS_GATEWAY_ON_VETH -> {
                String bridge = ovsBridge("o");
                // The bridge's own interface (a tap here) would answer ARP for the gateway and take the traffic off the veth.
                links.setArp(bridge, false);
                String port = name("wa");
                String free = name("wb");
                vethPair(port, free);
                ovs.addPort(bridge, port);
                // Both ends, though the free end is what matters: it sends the replies into the bridge (HOST.md trap).
                links.disableTxOffload(port);
                links.disableTxOffload(free);
                links.addAddress(free, gateway.toString());
                return new Lan(topology, bridge, free, gateway);
            }
            case LINUX_GATEWAY_ON_VETH -> {
                String bridge = linuxBridge("l");
                // Otherwise the bridge's interface answers ARP for the gateway first and the guests send to it: the
                // packets are then routed from the bridge, never cross the veth, and NAT works (IpLinks.setArp).
                links.setArp(bridge, false);
                String port = name("wa");
                String free = name("wb");
                vethPair(port, free);
                links.setMaster(port, bridge);
                links.addAddress(free, gateway.toString());
                return new Lan(topology, bridge, free, gateway);
            }
            case LINUX_GATEWAY_ON_BRIDGE -> {
                String bridge = linuxBridge("l");
                links.addAddress(bridge, gateway.toString());
                return new Lan(topology, bridge, bridge, gateway);
            }
            default -> throw new IllegalArgumentException(topology.toString());
        }
    }

    /** A stand-in guest {@code <id><suffix>} at {@code .host} on {@code lan}, default route via the gateway. */
    Guest guest(Lan lan, String suffix, int host) {
        String namespace = namespace(suffix);
        String inside = name(suffix + "a");
        String port = name(suffix + "b");
        vethPair(inside, port);
        if (lan.topology() == Topology.OVS_GATEWAY_ON_VETH) {
            ovs.addPort(lan.bridge(), port);
            links.disableTxOffload(port);
        } else {
            links.setMaster(port, lan.bridge());
        }
        links.moveToNamespace(inside, namespace);
        String cidr = lan.cidrOf(host);
        links.addAddressIn(namespace, inside, cidr);
        links.linkUpIn(namespace, inside);
        if (lan.topology() == Topology.OVS_GATEWAY_ON_VETH) {
            // The guest's own NIC is the sender whose unfinished checksums OVS would pass on.
            links.disableTxOffloadIn(namespace, inside);
        }
        routes.addDefaultRouteIn(namespace, lan.gateway().addressText());
        return new Guest(namespace, Cidr.parse(cidr).addressText());
    }

    /** The upstream host {@code <id>u}: the host end gets {@code <prefix>.1/24}, the namespace {@code <prefix>.2/24}. */
    UpstreamNamespace upstream(String prefix) {
        String namespace = name("u");
        UpstreamNamespace[] created = new UpstreamNamespace[1];
        // UpstreamNamespace cleans up after itself when start fails; once started, close() removes it.
        teardown.register("close upstream " + namespace, () -> {
            if (created[0] != null) {
                created[0].close();
            }
        });
        created[0] = UpstreamNamespace.start(host, namespace, prefix + ".1/24", prefix + ".2/24");
        return created[0];
    }

    NatRules nat(NatSpec spec) {
        NatRules[] created = new NatRules[1];
        teardown.register("delete NAT table " + spec.tableName(), () -> {
            if (created[0] != null) {
                created[0].close();
            } else {
                host.nftables().deleteTable(spec.tableName());
            }
        });
        created[0] = NatRules.apply(spec, host.nftables(), host.forwarding());
        return created[0];
    }

    /** The NAT table name of this lab: {@code <id>_nat}. */
    String table() {
        return id + "_nat";
    }

    EchoService echoIn(String namespace) {
        EchoService[] created = new EchoService[1];
        teardown.register("stop echo server in " + namespace, () -> {
            if (created[0] != null) {
                created[0].close();
            }
        });
        created[0] = EchoService.start(namespaces, namespace, 0, 0);
        return created[0];
    }

    /** The link-layer address the guest resolved its gateway to (its neighbour entry), empty before any traffic. */
    String gatewayMacSeenBy(Guest guest, Lan lan) {
        String neigh = namespaces.execIn(guest.namespace(), List.of("ip", "neigh", "show", lan.gateway().addressText())).stdout();
        String[] fields = neigh.strip().split("\\s+");
        for (int i = 0; i + 1 < fields.length; i++) {
            if (fields[i].equals("lladdr")) {
                return fields[i + 1];
            }
        }
        return "";
    }

    /** The link-layer address of a host link. */
    static String macOf(String link) {
        try {
            return Files.readString(Path.of("/sys/class/net", link, "address")).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---------------------------------------------------------------- probes

    CommandResult udpProbe(String namespace, String host, int port, String message) {
        return namespaces.execIn(namespace, PROBE_COMMAND_TIMEOUT, NetProbe.udp(host, port, message, PROBE_TIMEOUT));
    }

    CommandResult tcpProbe(String namespace, String host, int port, String message) {
        return namespaces.execIn(namespace, PROBE_COMMAND_TIMEOUT, NetProbe.tcp(host, port, message, PROBE_TIMEOUT));
    }

    /** Removes everything this lab created, newest first, even after failures; throws if a step failed. */
    @Override
    public void close() {
        teardown.run();
    }
}
