package dev.virtunit.internal.lab;

import dev.virtunit.Cidr;
import dev.virtunit.Network;
import dev.virtunit.NetworkSpec;
import dev.virtunit.internal.ssh.SshKeyPair;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** Every XML document the lab writes escapes its values: names and paths with {@code &}, {@code <}, {@code '} parse back as given. */
class WrittenXmlTest {

    private static final String AWKWARD = "a&b<c>'d\"e";

    @Test
    void aDomainDefinitionEscapesNamesAndPaths() throws Exception {
        Path dir = Path.of("/var/lib/virtunit/" + AWKWARD);
        DomainPlan plan = new DomainPlan(AWKWARD, "kvm", 256, 1, "run&1", 42,
                List.of(new DomainPlan.Disk(Optional.of(dir.resolve("disk.qcow2")), "qcow2", false, "vda", Optional.of(1)),
                        new DomainPlan.Disk(Optional.of(dir.resolve("seed.iso")), "raw", true, "hdc", Optional.empty())),
                List.of(DomainPlan.Nic.onNetwork("52:54:00:00:00:01", "net'" + AWKWARD),
                        DomainPlan.Nic.onBridge("52:54:00:00:00:02", "br<0", true, false, 7)),
                dir.resolve("console.log"), true);

        Document xml = parse(plan.toXml());

        assertThat(text(xml, "name")).isEqualTo(AWKWARD);
        assertThat(first(xml, "vu:owner").getAttribute("run")).isEqualTo("run&1");
        assertThat(first(xml, "vu:owner").getAttribute("xmlns:vu")).isEqualTo(DomainPlan.OWNER_NAMESPACE);
        assertThat(((Element) xml.getElementsByTagName("source").item(0)).getAttribute("file"))
                .isEqualTo(dir.resolve("disk.qcow2").toString());
        assertThat(((Element) xml.getElementsByTagName("source").item(2)).getAttribute("network")).isEqualTo("net'" + AWKWARD);
        assertThat(((Element) xml.getElementsByTagName("source").item(3)).getAttribute("bridge")).isEqualTo("br<0");
        assertThat(first(xml, "log").getAttribute("file")).isEqualTo(dir.resolve("console.log").toString());
        assertThat(first(xml, "cpu").getAttribute("mode")).isEqualTo("host-passthrough");
        assertThat(first(xml, "tag").getAttribute("id")).isEqualTo("7");
        assertThat(xml.getElementsByTagName("readonly").getLength()).isEqualTo(1);
        assertThat(xml.getElementsByTagName("graphics").getLength()).isEqualTo(1);
    }

    @Test
    void volumesPoolsAndNetworksEscapeTheirValues() throws Exception {
        Path image = Path.of("/images/" + AWKWARD + ".qcow2");
        Document overlay = parse(new DiskImage(image, "qcow2", 1024).overlayVolumeXml(AWKWARD + "-disk.qcow2"));
        assertThat(text(overlay, "name")).isEqualTo(AWKWARD + "-disk.qcow2");
        assertThat(text(overlay, "path")).isEqualTo(image.toString());
        assertThat(text(overlay, "capacity")).isEqualTo("1024");

        assertThat(text(parse(DiskImage.blankVolumeXml(AWKWARD, 64)), "name")).isEqualTo(AWKWARD);

        Document pool = parse(new RunPool(AWKWARD, Path.of("/pools/" + AWKWARD), Path.of("/pools/" + AWKWARD), SshKeyPair.generateEd25519("k"),
                Path.of("/pools/key")).toXml());
        assertThat(text(pool, "name")).isEqualTo(AWKWARD);
        assertThat(text(pool, "path")).isEqualTo("/pools/" + AWKWARD);

        NetworkSpec spec = new NetworkSpec(Network.Mode.NAT, Optional.empty(), true, 100, 200,
                List.of(new NetworkSpec.DhcpHost("52:54:00:00:00:12", ".12")), Optional.of("up&link"));
        Document network = parse(LabLibvirtNetwork.toXml(AWKWARD, "vubr'0", Cidr.parse("192.168.9.0/24"), spec));
        assertThat(text(network, "name")).isEqualTo(AWKWARD);
        assertThat(first(network, "forward").getAttribute("dev")).isEqualTo("up&link");
        assertThat(first(network, "bridge").getAttribute("name")).isEqualTo("vubr'0");
        assertThat(first(network, "host").getAttribute("ip")).isEqualTo("192.168.9.12");
        assertThat(first(network, "range").getAttribute("end")).isEqualTo("192.168.9.200");
    }

    private static Document parse(String xml) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new org.xml.sax.InputSource(new StringReader(xml)));
    }

    private static Element first(Document xml, String tag) {
        return (Element) xml.getElementsByTagName(tag).item(0);
    }

    private static String text(Document xml, String tag) {
        return first(xml, tag).getTextContent();
    }
}
