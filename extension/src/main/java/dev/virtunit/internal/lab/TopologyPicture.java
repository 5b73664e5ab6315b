package dev.virtunit.internal.lab;

import dev.virtunit.Bridge;
import dev.virtunit.Network;
import dev.virtunit.Segment;
import dev.virtunit.Topology;
import dev.virtunit.VirtunitException;
import dev.virtunit.internal.net.NatSpec;
import dev.virtunit.internal.net.PortForward;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * What a lab holds at one moment, read from its parts ({@link GuestRegistry}, {@link HostTopology},
 * {@link LibvirtNetworks}) into plain values, and drawn from those: Graphviz DOT (rendered to SVG and PNG by
 * {@link GraphvizDot}) and a text block for logs. Taken as a snapshot so that drawing never touches the lab again and
 * a picture taken on failure shows the moment of the failure.
 *
 * <p>The failure report writes all forms into a folder with {@link #writeTo(Path)}; tests and users get it as the
 * public {@link Topology} from {@code Lab.topology()}.
 */
public final class TopologyPicture implements Topology {

    /** The files {@link #writeTo(Path)} writes, in this order. */
    public static final List<String> FILES = List.of("topology.txt", "topology.dot", "topology.svg", "topology.png");

    /** One NIC of a guest: {@code eth<i>}, on the segment of that id, with its VLAN tag (0: none). */
    record NicView(String device, String mac, String segment, List<String> addresses, int vlan, boolean sshOnly) {
    }

    record GuestView(String name, String state, List<NicView> nics) {
    }

    /** A bridge's NAT: its nftables table, the uplink it masquerades toward, and its port forwards. */
    record NatView(String table, String uplink, List<String> portForwards) {
    }

    /**
     * A segment guests plug into. {@code kind} says what it is in words ("OVS bridge", "Linux bridge", "libvirt
     * network", "virtunit network"); {@code gateway} is the host's address on it (empty when it has none), and
     * {@code gatewayPlace} where that address lives ("on the bridge", "on veth ...", or empty).
     */
    record SegmentView(String name, String kind, String cidr, String gateway, String gatewayPlace, String details,
                       List<Integer> vlans, Optional<NatView> nat) {

        String gatewayText() {
            return gateway.isEmpty() ? "no host gateway" : "gateway " + gateway + (gatewayPlace.isEmpty() ? "" : " " + gatewayPlace);
        }
    }

    record UpstreamView(String name, String address, String hostAddress, String uplinkInterface, int tcpPort,
                        int udpPort) {
    }

    private final String run;
    private final List<GuestView> guests;
    private final List<SegmentView> segments;
    private final List<UpstreamView> upstreams;
    private final GraphvizDot graphviz;

    TopologyPicture(String run, List<GuestView> guests, List<SegmentView> segments, List<UpstreamView> upstreams,
                    GraphvizDot graphviz) {
        this.run = run;
        this.guests = List.copyOf(guests);
        this.segments = List.copyOf(segments);
        this.upstreams = List.copyOf(upstreams);
        this.graphviz = graphviz;
    }

    /** What {@code lab} holds now; images rendered with the {@code dot} on this JVM's PATH. */
    public static TopologyPicture of(LabSession lab) {
        return of(lab, GraphvizDot.local());
    }

    static TopologyPicture of(LabSession lab, GraphvizDot graphviz) {
        List<LabGuest> labGuests = lab.guests();
        // Segments by identity, in the order they were made; a guest's segment that the lab no longer lists (kept or
        // removed already) is still drawn, since the guest is plugged into it.
        Map<Segment, List<Integer>> vlans = new IdentityHashMap<>();
        Map<Segment, Boolean> order = new LinkedHashMap<>();
        lab.hostTopology().bridges().forEach(bridge -> order.put(bridge, true));
        lab.libvirtNetworks().declared().forEach(network -> order.put(network, true));
        Optional<DefaultNetwork> defaultNetwork = lab.libvirtNetworks().defaultNetworkIfMade();
        List<GuestView> guests = new ArrayList<>();
        for (LabGuest guest : labGuests) {
            List<NicView> nics = new ArrayList<>();
            for (int i = 0; i < guest.nics().size(); i++) {
                LabGuest.NicAddress nic = guest.nics().get(i);
                boolean declared = i < guest.spec().nics().size();
                String segment;
                int vlan = 0;
                if (declared) {
                    var spec = guest.spec().nics().get(i);
                    segment = spec.segment().name();
                    vlan = spec.vlan();
                    order.putIfAbsent(spec.segment(), true);
                    if (vlan != 0) {
                        vlans.computeIfAbsent(spec.segment(), s -> new ArrayList<>()).add(vlan);
                    }
                } else {
                    segment = defaultNetwork.map(DefaultNetwork::name).orElse("default network");
                }
                nics.add(new NicView("eth" + i, nic.mac(), segment, addresses(guest, i), vlan, i >= guest.testNics()));
            }
            // In a lab over several hosts, a guest away from the home says where it runs.
            String where = guest.host().equals(lab.labGuests().hostName()) ? "" : ", on " + guest.host();
            guests.add(new GuestView(guest.name(), state(guest) + where, nics));
        }
        List<SegmentView> segments = new ArrayList<>();
        for (Segment segment : order.keySet()) {
            List<Integer> tags = List.copyOf(new TreeSet<>(vlans.getOrDefault(segment, List.of())));
            segments.add(view(segment, tags));
        }
        defaultNetwork.ifPresent(network -> segments.add(new SegmentView(network.name(), "virtunit network",
                network.subnet().cidr(), network.subnet().gateway(), "", "bridge " + network.bridge() + ", DHCP, the host's way in",
                List.of(), Optional.empty())));
        List<UpstreamView> upstreams = lab.hostTopology().upstreams().stream().map(upstream -> new UpstreamView(
                upstream.name(), upstream.address(), upstream.hostAddress(), upstream.uplinkInterface(),
                upstream.tcpPort(), upstream.udpPort())).toList();
        return new TopologyPicture(lab.runId(), guests, segments, upstreams, graphviz);
    }

    private static List<String> addresses(LabGuest guest, int nic) {
        try {
            return guest.addressesOf(nic);
        } catch (RuntimeException e) {
            // A picture taken on failure must not fail itself: libvirt may be what failed.
            return List.of();
        }
    }

    private static String state(LabGuest guest) {
        try {
            return guest.state().toString().toLowerCase(java.util.Locale.ROOT);
        } catch (RuntimeException e) {
            return "state unknown";
        }
    }

    private static SegmentView view(Segment segment, List<Integer> vlans) {
        if (segment instanceof LabBridge bridge) {
            String place = switch (bridge.gatewayPlacement()) {
                case ON_VETH -> "on veth " + bridge.gatewayInterface();
                case ON_BRIDGE -> "on the bridge";
                case NONE -> "";
            };
            Optional<NatView> nat = bridge.natSpec().map(TopologyPicture::nat);
            return new SegmentView(bridge.name(), bridge.kind() == Bridge.Kind.OVS ? "OVS bridge" : "Linux bridge",
                    bridge.cidr(), bridge.gateway(), place, bridge.userspaceDatapath() ? "userspace datapath" : "", vlans, nat);
        }
        if (segment instanceof Network network) {
            return new SegmentView(network.name(), "libvirt network", network.cidr(), network.gateway(), "",
                    "bridge " + network.bridge() + ", " + network.mode().name().toLowerCase(java.util.Locale.ROOT)
                            + (network.dhcp() ? ", DHCP" : ""), vlans, Optional.empty());
        }
        return new SegmentView(segment.name(), "segment", segment.cidr(), segment.gateway(), "", "", vlans, Optional.empty());
    }

    private static NatView nat(NatSpec spec) {
        return new NatView(spec.tableName(), spec.uplinkInterface(),
                spec.portForwards().stream().map(TopologyPicture::forward).toList());
    }

    private static String forward(PortForward forward) {
        return forward.protocol().nftName() + " " + forward.uplinkPort() + " -> " + forward.guestAddress() + ":"
                + forward.guestPort();
    }

    // ---- the text form ----

    /** One block for a terminal: guests and their NICs, then segments with their NAT, then upstream hosts. */
    public String asText() {
        StringBuilder text = new StringBuilder("topology of virtunit run " + run + ":");
        if (guests.isEmpty() && segments.isEmpty() && upstreams.isEmpty()) {
            return text.append(" nothing yet").toString();
        }
        for (GuestView guest : guests) {
            text.append("\n  guest ").append(guest.name()).append(" (").append(guest.state()).append(')');
            for (NicView nic : guest.nics()) {
                text.append("\n    ").append(nic.device()).append(' ').append(nic.mac()).append(' ')
                        .append(addressText(nic)).append(" on ").append(nic.segment());
                if (nic.vlan() != 0) {
                    text.append(", VLAN ").append(nic.vlan());
                }
                if (nic.sshOnly()) {
                    text.append(" (the host's way in, SSH only)");
                }
            }
        }
        for (SegmentView segment : segments) {
            text.append("\n  ").append(segment.kind()).append(' ').append(segment.name()).append(' ').append(segment.cidr())
                    .append(", ").append(segment.gatewayText());
            if (!segment.details().isEmpty()) {
                text.append(", ").append(segment.details());
            }
            if (!segment.vlans().isEmpty()) {
                text.append(", VLANs ").append(join(segment.vlans()));
            }
            segment.nat().ifPresent(nat -> {
                text.append("\n    NAT ").append(nat.table()).append(": masquerade toward uplink ").append(nat.uplink());
                upstreamOn(nat.uplink()).ifPresent(upstream -> text.append(" (upstream ").append(upstream.name())
                        .append(' ').append(upstream.address()).append(')'));
                nat.portForwards().forEach(forward -> text.append("\n      port forward ").append(forward));
            });
        }
        for (UpstreamView upstream : upstreams) {
            text.append("\n  upstream ").append(upstream.name()).append(' ').append(upstream.address())
                    .append(" (echo tcp ").append(upstream.tcpPort()).append(", udp ").append(upstream.udpPort())
                    .append("), host side ").append(upstream.hostAddress()).append(" on ").append(upstream.uplinkInterface());
        }
        return text.toString();
    }

    private static String addressText(NicView nic) {
        return nic.addresses().isEmpty() ? "(DHCP, no lease yet)" : String.join(", ", nic.addresses());
    }

    private static String join(List<Integer> values) {
        return String.join(", ", values.stream().map(String::valueOf).toList());
    }

    private Optional<UpstreamView> upstreamOn(String uplink) {
        return upstreams.stream().filter(upstream -> upstream.uplinkInterface().equals(uplink)).findFirst();
    }

    // ---- the DOT form ----

    @Override
    public String dot() {
        StringBuilder dot = new StringBuilder();
        dot.append("digraph \"virtunit run ").append(run).append("\" {\n")
                .append("  graph [rankdir=LR, fontname=\"Helvetica\", fontsize=12, labelloc=t, label=")
                .append(quoted("virtunit run " + run)).append("];\n")
                .append("  node [fontname=\"Helvetica\", fontsize=10, style=filled];\n")
                .append("  edge [fontname=\"Helvetica\", fontsize=9, dir=none];\n");
        for (GuestView guest : guests) {
            node(dot, "guest:" + guest.name(), "box", "#dbe9f6", "guest " + guest.name() + "\n" + guest.state(), "rounded,filled");
        }
        for (SegmentView segment : segments) {
            List<String> lines = new ArrayList<>(List.of(segment.kind() + " " + segment.name(), segment.cidr()));
            lines.add(segment.gatewayText());
            if (!segment.details().isEmpty()) {
                lines.add(segment.details());
            }
            if (!segment.vlans().isEmpty()) {
                lines.add("VLANs " + join(segment.vlans()));
            }
            String color = switch (segment.kind()) {
                case "OVS bridge" -> "#fde3c4";
                case "Linux bridge" -> "#d9f0d3";
                default -> "#e8e8e8";
            };
            node(dot, "segment:" + segment.name(), "box", color, String.join("\n", lines), "filled");
            segment.nat().ifPresent(nat -> {
                List<String> natLines = new ArrayList<>(List.of("NAT " + nat.table(), "masquerade " + segment.cidr()));
                nat.portForwards().forEach(forward -> natLines.add("port forward " + forward));
                node(dot, "nat:" + segment.name(), "octagon", "#f8d0d0", String.join("\n", natLines), "filled");
                edge(dot, "segment:" + segment.name(), "nat:" + segment.name(), "gateway " + segment.gateway(), false);
                Optional<UpstreamView> upstream = upstreamOn(nat.uplink());
                if (upstream.isEmpty()) {
                    node(dot, "uplink:" + nat.uplink(), "box", "#ffffff", "host interface " + nat.uplink(), "dashed");
                }
                edge(dot, "nat:" + segment.name(), upstream.map(u -> "upstream:" + u.name()).orElse("uplink:" + nat.uplink()),
                        "uplink " + nat.uplink(), false);
            });
        }
        for (UpstreamView upstream : upstreams) {
            node(dot, "upstream:" + upstream.name(), "box3d", "#efe3f7", "upstream " + upstream.name() + "\n"
                    + upstream.address() + "\necho tcp " + upstream.tcpPort() + ", udp " + upstream.udpPort()
                    + "\nhost side " + upstream.hostAddress(), "filled");
        }
        for (GuestView guest : guests) {
            for (NicView nic : guest.nics()) {
                String label = nic.device() + " " + addressText(nic) + (nic.vlan() != 0 ? "\nVLAN " + nic.vlan() : "")
                        + (nic.sshOnly() ? "\nSSH only" : "");
                edge(dot, "guest:" + guest.name(), "segment:" + nic.segment(), label, nic.sshOnly());
            }
        }
        return dot.append("}\n").toString();
    }

    private static void node(StringBuilder dot, String id, String shape, String color, String label, String style) {
        dot.append("  ").append(quoted(id)).append(" [shape=").append(shape).append(", style=\"").append(style)
                .append("\", fillcolor=\"").append(color).append("\", label=").append(quoted(label)).append("];\n");
    }

    private static void edge(StringBuilder dot, String from, String to, String label, boolean dashed) {
        dot.append("  ").append(quoted(from)).append(" -> ").append(quoted(to)).append(" [label=").append(quoted(label))
                .append(dashed ? ", style=dashed" : "").append("];\n");
    }

    /** A DOT string: quotes and backslashes escaped, line breaks as DOT's centred {@code \n}. */
    static String quoted(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }

    // ---- files ----

    /**
     * Writes {@link #FILES} into {@code dir} (made as needed) and returns them: the text and DOT forms first, so
     * that they are there even when the images cannot be rendered.
     *
     * @throws VirtunitException when Graphviz is missing (naming the package graphviz) or fails; the text and DOT
     *                           files are written by then
     */
    public List<Path> writeTo(Path dir) {
        List<Path> written = new ArrayList<>();
        written.add(write(dir.resolve(FILES.get(0)), asText() + "\n"));
        written.add(writeDot(dir.resolve(FILES.get(1))));
        written.add(writeSvg(dir.resolve(FILES.get(2))));
        written.add(writePng(dir.resolve(FILES.get(3))));
        return written;
    }

    @Override
    public String runId() {
        return run;
    }

    @Override
    public Path writeDot(Path file) {
        return write(file, dot());
    }

    @Override
    public Path writeSvg(Path file) {
        return render(file, "svg");
    }

    @Override
    public Path writePng(Path file) {
        return render(file, "png");
    }

    private Path render(Path file, String format) {
        createParent(file);
        graphviz.render(dot(), format, file);
        return file;
    }

    private static Path write(Path file, String content) {
        try {
            createParent(file);
            return Files.writeString(file, content, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new VirtunitException("cannot write the topology picture to " + file + ": " + e.getMessage(), e);
        }
    }

    private static void createParent(Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
        } catch (IOException e) {
            throw new VirtunitException("cannot write the topology picture to " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return asText();
    }
}
