package dev.virtunit.internal.lab;

import dev.virtunit.Acceleration;
import dev.virtunit.Bridge;
import dev.virtunit.BridgeSpec;
import dev.virtunit.CleanupMode;
import dev.virtunit.GuestSpec;
import dev.virtunit.LabConfig;
import dev.virtunit.Network;
import dev.virtunit.NetworkSpec;
import dev.virtunit.Topology;
import dev.virtunit.Upstream;
import dev.virtunit.VirtunitException;
import dev.virtunit.internal.host.FakeHost;
import dev.virtunit.internal.host.HostCommands;
import dev.virtunit.internal.host.MutationSteps;
import dev.virtunit.internal.net.HostNetworking;
import dev.virtunit.internal.net.IpForwarding;
import dev.virtunit.internal.net.Sysctls;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The picture of a whole topology made on a {@link FakeHost} and a {@link FakeHypervisor}: an upstream host, an Open
 * vSwitch bridge with its gateway on a veth and NAT toward the upstream with a port forward, a Linux bridge, a libvirt
 * network, a guest on the OVS bridge, one tagged into VLAN 10 there and also on the Linux bridge, and one with no NIC
 * declared (virtunit's own network). What the DOT and text forms must say is each element with its addresses.
 */
class TopologyPictureTest {

    @TempDir
    Path work;

    private final FakeHypervisor hypervisor = new FakeHypervisor();
    private final FakeHost host = new FakeHost(new MutationSteps()).withExternalLinks(hypervisor::taps);
    private LabSession lab;
    private String run;
    private Upstream upstream;
    private Bridge ovs;
    private Bridge linux;
    private Network network;

    @BeforeEach
    void buildTopology() {
        LabConfig config = LabConfig.fromEnvironment().withStateDir(work.resolve("state"))
                .withCacheDir(work.resolve("cache")).withAcceleration(Acceleration.TCG)
                .withCleanup(CleanupMode.ALWAYS).withFirstBootCache(false);
        lab = LabSession.start(config, uri -> hypervisor, new HostNetworking(host, new IpForwarding(new Sysctls(host))));
        lab.readiness(FakeLab::readyWithoutNetwork);
        run = lab.runId();
        Path image = FakeLab.blankImage(work, "tiny.qcow2");
        upstream = lab.upstream();
        ovs = lab.bridge(BridgeSpec.ovs().withGateway(Bridge.Gateway.ON_VETH).withNat(upstream.uplinkInterface())
                .withPortForward("tcp:8080->.10:80"));
        linux = lab.bridge(BridgeSpec.linux());
        network = lab.network(NetworkSpec.isolated());
        lab.create(GuestSpec.builder().image(image).nic(ovs).build(), "a");
        lab.create(GuestSpec.builder().image(image).nic(ovs, null, 10).nic(linux).build(), "b");
        lab.create(GuestSpec.builder().image(image).build(), "c");
    }

    @AfterEach
    void close() {
        lab.close();
    }

    private static String net(Bridge bridge, int host) {
        String cidr = bridge.cidr();
        return cidr.substring(0, cidr.lastIndexOf('.') + 1) + host;
    }

    @Test
    void theDotFormDrawsGuestsNicsBridgesNatAndTheUpstream() {
        String dot = lab.topology().dot();

        String a = "vu-" + run + "-a";
        String b = "vu-" + run + "-b";
        String ovsName = ovs.name();
        assertThat(dot).startsWith("digraph \"virtunit run " + run + "\" {").endsWith("}\n");
        // Guests, and their NICs as edges labelled with device, address and VLAN.
        assertThat(dot).contains("\"guest:" + a + "\" [shape=box", "label=\"guest " + a + "\\nrunning\"");
        assertThat(dot).contains("\"guest:" + a + "\" -> \"segment:" + ovsName + "\" [label=\"eth0 " + net(ovs, 10) + "\"]");
        assertThat(dot).contains("\"guest:" + b + "\" -> \"segment:" + ovsName + "\" [label=\"eth0 " + net(ovs, 11)
                + "\\nVLAN 10\"]");
        assertThat(dot).contains("\"guest:" + b + "\" -> \"segment:" + linux.name() + "\" [label=\"eth1 " + net(linux, 10) + "\"]");
        // The bridges with kind, subnet, gateway and the VLANs on them.
        assertThat(dot).contains("label=\"OVS bridge " + ovsName + "\\n" + ovs.cidr() + "\\ngateway " + ovs.gateway()
                + " on veth " + ovsName + "g\\nuserspace datapath\\nVLANs 10\"");
        assertThat(dot).contains("label=\"Linux bridge " + linux.name() + "\\n" + linux.cidr() + "\\ngateway "
                + linux.gateway() + " on the bridge\"");
        assertThat(dot).contains("label=\"libvirt network " + network.name() + "\\n" + network.cidr());
        // NAT: its table, subnet and port forward, hung between the bridge and the upstream over the uplink.
        assertThat(dot).contains("\"nat:" + ovsName + "\" [shape=octagon", "label=\"NAT vu_" + run + "_b0\\nmasquerade "
                + ovs.cidr() + "\\nport forward tcp 8080 -> " + net(ovs, 10) + ":80\"");
        assertThat(dot).contains("\"segment:" + ovsName + "\" -> \"nat:" + ovsName + "\" [label=\"gateway " + ovs.gateway() + "\"]");
        assertThat(dot).contains("\"nat:" + ovsName + "\" -> \"upstream:" + upstream.name() + "\" [label=\"uplink "
                + upstream.uplinkInterface() + "\"]");
        assertThat(dot).contains("label=\"upstream " + upstream.name() + "\\n" + upstream.address() + "\\necho tcp "
                + upstream.tcpPort() + ", udp " + upstream.udpPort() + "\\nhost side " + upstream.hostAddress() + "\"");
        // The guest that declared no NIC is on virtunit's own network.
        assertThat(dot).contains("\"guest:vu-" + run + "-c\" -> \"segment:vu-" + run + "-net\"");
        assertThat(dot).contains("label=\"virtunit network vu-" + run + "-net\\n");
    }

    @Test
    void theTextFormIsOneBlockFromGuestsToTheUplink() {
        String text = lab.topology().toString();

        List<String> lines = text.lines().toList();
        assertThat(lines.get(0)).isEqualTo("topology of virtunit run " + run + ":");
        assertThat(text).contains("\n  guest vu-" + run + "-a (running)\n    eth0 ");
        assertThat(text).containsPattern("\n    eth0 (\\S+) " + net(ovs, 11).replace(".", "\\.") + " on " + ovs.name()
                + ", VLAN 10\n    eth1 \\S+ " + net(linux, 10).replace(".", "\\.") + " on " + linux.name() + "\n");
        assertThat(text).contains("\n  OVS bridge " + ovs.name() + " " + ovs.cidr() + ", gateway " + ovs.gateway()
                + " on veth " + ovs.name() + "g, userspace datapath, VLANs 10"
                + "\n    NAT vu_" + run + "_b0: masquerade toward uplink " + upstream.uplinkInterface()
                + " (upstream " + upstream.name() + " " + upstream.address() + ")"
                + "\n      port forward tcp 8080 -> " + net(ovs, 10) + ":80");
        assertThat(text).contains("\n  Linux bridge " + linux.name() + " " + linux.cidr() + ", gateway " + linux.gateway()
                + " on the bridge");
        assertThat(text).contains("\n  libvirt network " + network.name() + " " + network.cidr() + ", gateway "
                + network.gateway() + ", bridge " + network.bridge() + ", isolated");
        assertThat(lines.get(lines.size() - 1)).isEqualTo("  upstream " + upstream.name() + " " + upstream.address()
                + " (echo tcp " + upstream.tcpPort() + ", udp " + upstream.udpPort() + "), host side "
                + upstream.hostAddress() + " on " + upstream.uplinkInterface());
    }

    @Test
    void aNatTowardAHostInterfaceRatherThanAnUpstreamEndsAtThatInterface() {
        Bridge toHost = lab.bridge(BridgeSpec.linux().withNat(FakeHost.UPLINK));

        String dot = lab.topology().dot();

        assertThat(dot).contains("\"uplink:eth0\" [shape=box, style=\"dashed\", fillcolor=\"#ffffff\", label=\"host interface eth0\"]");
        assertThat(dot).contains("\"nat:" + toHost.name() + "\" -> \"uplink:eth0\" [label=\"uplink eth0\"]");
        assertThat(lab.topology().toString()).contains("NAT vu_" + run + "_b2: masquerade toward uplink eth0\n");
    }

    @Test
    void aPictureIsASnapshotAndShowsWhatWasRemovedNoMore() {
        Topology before = lab.topology();
        lab.remove(lab.guests().get(0));

        assertThat(before.toString()).contains("guest vu-" + run + "-a");
        assertThat(lab.topology().toString()).doesNotContain("guest vu-" + run + "-a");
    }

    @Test
    void anEmptyLabSaysSo() {
        lab.close();
        LabSession empty = FakeLab.start(work.resolve("empty"), new FakeHypervisor());
        try {
            assertThat(empty.topology().toString()).isEqualTo("topology of virtunit run " + empty.runId() + ": nothing yet");
            assertThat(empty.topology().dot()).doesNotContain("->");
        } finally {
            empty.close();
        }
    }

    @Test
    void withoutGraphvizTheTextAndDotAreWrittenAndTheErrorNamesThePackage() throws IOException {
        TopologyPicture picture = TopologyPicture.of(lab, new GraphvizDot(HostCommands.local(), work.toString()));
        Path dir = work.resolve("report");

        assertThatThrownBy(() -> picture.writeTo(dir)).isInstanceOf(VirtunitException.class)
                .hasMessageContaining("Graphviz's dot program is not on the PATH (" + work + ")")
                .hasMessageContaining("Install the package graphviz (apt-get install graphviz");
        assertThat(Files.readString(dir.resolve("topology.dot"))).isEqualTo(picture.dot());
        assertThat(Files.readString(dir.resolve("topology.txt"))).isEqualTo(picture.asText() + "\n");
        assertThat(dir.resolve("topology.svg")).doesNotExist();
    }

    @Test
    void aLabelIsQuotedForDot() {
        assertThat(TopologyPicture.quoted("a \"b\" \\ c\nd")).isEqualTo("\"a \\\"b\\\" \\\\ c\\nd\"");
    }

    /** Really runs Graphviz: the files are a PNG and an SVG, and the SVG shows the guests' addresses. */
    @Test
    void graphvizRendersAValidSvgAndPng() throws IOException {
        assumeTrue(GraphvizDot.local().program().isPresent(), "Graphviz's dot is not installed (package graphviz)");
        Path dir = work.resolve("report");

        List<Path> written = lab.topology() instanceof TopologyPicture picture ? picture.writeTo(dir) : List.of();

        assertThat(written).containsExactly(dir.resolve("topology.txt"), dir.resolve("topology.dot"),
                dir.resolve("topology.svg"), dir.resolve("topology.png"));
        byte[] png = Files.readAllBytes(dir.resolve("topology.png"));
        assertThat(Arrays.copyOf(png, 8)).containsExactly(0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n');
        String svg = Files.readString(dir.resolve("topology.svg"), StandardCharsets.UTF_8);
        assertThat(svg).containsPattern("<svg[^>]*xmlns=\"http://www.w3.org/2000/svg\"").contains("</svg>");
        // dot writes a hyphen in a label as &#45;
        assertThat(svg).contains(">guest vu&#45;" + run + "&#45;a<").contains(net(ovs, 10));
    }
}
