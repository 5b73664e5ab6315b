package dev.virtunit.it.report;

import dev.virtunit.Bridge;
import dev.virtunit.BridgeSpec;
import dev.virtunit.Guest;
import dev.virtunit.GuestSpec;
import dev.virtunit.Lab;
import dev.virtunit.Topology;
import dev.virtunit.Upstream;
import dev.virtunit.internal.lab.TopologyPicture;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The picture of a real topology: an upstream host, an Open vSwitch bridge with its gateway on a veth and NAT toward
 * the upstream with a port forward, a Linux bridge, a router guest on both bridges, and a guest tagged into VLAN 10
 * on the OVS bridge (reached over the Linux bridge). What the picture says is checked against what the handles say,
 * and the files a failure report gets are written and are what they claim to be. The PNG is left in
 * {@code target/topology-picture/} (the README's example is one).
 */
class TopologyPictureIT {

    private static final Path OUT = Path.of("target", "topology-picture");

    @Test
    void aRealTopologyIsDrawnWithItsAddressesVlanAndNat() throws IOException {
        Path image = Path.of(System.getProperty("virtunit.testImage"));
        try (Lab lab = Lab.start()) {
            Upstream internet = lab.upstream();
            Bridge lan = lab.bridge(BridgeSpec.ovs().withGateway(Bridge.Gateway.ON_VETH)
                    .withNat(internet.uplinkInterface()).withPortForward("tcp:8080->.50:80"));
            Bridge backend = lab.bridge(BridgeSpec.linux());
            Guest router = lab.guest(GuestSpec.builder().name("vu-" + lab.runId() + "-router").image(image)
                    .nic(lan, ".50").nic(backend).build());
            Guest tagged = lab.guest(GuestSpec.builder().name("vu-" + lab.runId() + "-tagged").image(image)
                    .nic(lan, null, 10).nic(backend).build());

            Topology topology = lab.topology();
            List<Path> written = ((TopologyPicture) topology).writeTo(OUT);

            String text = topology.toString();
            String prefix = lan.cidr().substring(0, lan.cidr().lastIndexOf('.') + 1);
            assertThat(text).contains("guest " + router.name() + " (running)", "guest " + tagged.name() + " (running)",
                    router.addresses().get(0) + " on " + lan.name(),
                    router.addresses().get(1) + " on " + backend.name(),
                    tagged.addresses().get(0) + " on " + lan.name() + ", VLAN 10",
                    "OVS bridge " + lan.name() + " " + lan.cidr() + ", gateway " + lan.gateway() + " on veth "
                            + lan.gatewayInterface(),
                    "NAT " + lan.natTable() + ": masquerade toward uplink " + internet.uplinkInterface()
                            + " (upstream " + internet.name() + " " + internet.address() + ")",
                    "port forward tcp 8080 -> " + prefix + "50:80",
                    "Linux bridge " + backend.name() + " " + backend.cidr() + ", gateway " + backend.gateway(),
                    "upstream " + internet.name() + " " + internet.address());
            assertThat(router.addresses().get(0)).isEqualTo(prefix + "50");

            assertThat(written).containsExactly(OUT.resolve("topology.txt"), OUT.resolve("topology.dot"),
                    OUT.resolve("topology.svg"), OUT.resolve("topology.png"));
            assertThat(Files.readString(OUT.resolve("topology.txt"))).isEqualTo(text + "\n");
            assertThat(Files.readString(OUT.resolve("topology.dot"))).isEqualTo(topology.dot())
                    .contains("\"nat:" + lan.name() + "\" -> \"upstream:" + internet.name() + "\"");
            byte[] png = Files.readAllBytes(OUT.resolve("topology.png"));
            assertThat(Arrays.copyOf(png, 8)).containsExactly(0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n');
            assertThat(png.length).isGreaterThan(10_000);
            String svg = Files.readString(OUT.resolve("topology.svg"), StandardCharsets.UTF_8);
            assertThat(svg).containsPattern("<svg[^>]*xmlns=\"http://www.w3.org/2000/svg\"")
                    .contains(tagged.addresses().get(0), internet.address(), "VLAN 10");
            // The public way: each form on its own.
            assertThat(topology.writeSvg(OUT.resolve("again/topology.svg"))).isRegularFile();
            assertThat(topology.writeDot(OUT.resolve("again/topology.dot"))).content().isEqualTo(topology.dot());
        }
    }
}
