package dev.virtunit.internal.lab;

import dev.virtunit.Graphics;
import dev.virtunit.GuestSpec;
import dev.virtunit.Seed;
import dev.virtunit.VirtunitException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Which guests can be restored from a template and why the others boot; the shape that keys a template; the MACs a
 * copy is told to take.
 */
class GuestRestoresTest {

    @TempDir
    Path dir;
    private Path tiny;
    private Path socket;

    @BeforeEach
    void tinyImageWithTemplateMode() throws IOException {
        Path build = Files.createDirectories(dir.resolve("images/0123abcd"));
        tiny = Files.writeString(build.resolve("tiny.qcow2"), "disk");
        Files.writeString(build.resolve("manifest.txt"), "key inputs:\nvirtunit test image, format 1\n"
                + GuestRestores.TEMPLATE_MODE_FEATURE + "\n");
        socket = dir.resolve("vu-abc123-guest.identity");
    }

    private Optional<String> whyNot(GuestSpec spec) {
        return GuestRestores.whyNot(spec, tiny, socket);
    }

    @Test
    void aSeededGuestOfTheTinyImageCanBeRestored() {
        assertThat(whyNot(GuestSpec.builder().image(tiny).build())).isEmpty();
        assertThat(whyNot(GuestSpec.builder().image(tiny).memoryMiB(512).vcpus(2).userData("#cloud-config\nruncmd: [true]\n")
                .build())).isEmpty();
    }

    @Test
    void aGuestOfAnImageWithoutTemplateModeBoots() throws IOException {
        Path debian = Files.writeString(dir.resolve("debian-12.qcow2"), "disk");
        Path oldTiny = Files.createDirectories(dir.resolve("images/old"));
        Files.writeString(oldTiny.resolve("manifest.txt"), "virtunit test image, format 1\n");
        Path oldImage = Files.writeString(oldTiny.resolve("tiny.qcow2"), "disk");

        assertThat(GuestRestores.whyNot(GuestSpec.builder().image(debian).build(), debian, socket))
                .hasValueSatisfying(why -> assertThat(why).contains("its image " + debian + " has no template mode"));
        assertThat(GuestRestores.whyNot(GuestSpec.builder().image(oldImage).build(), oldImage, socket)).isPresent();
    }

    @Test
    void theTemplateModeIsFoundThroughALinkToTheImage() throws IOException {
        Path link = Files.createSymbolicLink(dir.resolve("images/tiny.qcow2"), tiny);

        assertThat(GuestRestores.whyNot(GuestSpec.builder().image(link).build(), link, socket)).isEmpty();
    }

    @Test
    void aGuestWithoutASeedBoots() {
        assertThat(whyNot(GuestSpec.builder().image(tiny).seed(Seed.NONE).password("secret").build()))
                .hasValueSatisfying(why -> assertThat(why).contains("it has no NoCloud seed (seed = NONE)"));
    }

    @Test
    void aGuestWithAnInsertedCdromOrALiveCdBoots() throws IOException {
        Path iso = Files.writeString(dir.resolve("tools.iso"), "iso");

        assertThat(whyNot(GuestSpec.builder().image(tiny).cdrom(iso).build()))
                .hasValueSatisfying(why -> assertThat(why).contains("only a disk image alone has templates"));
        assertThat(whyNot(GuestSpec.builder().liveCd(iso).build()))
                .hasValueSatisfying(why -> assertThat(why).contains("only a disk image alone has templates"));
    }

    @Test
    void aGuestWithBlankDisksBoots() {
        assertThat(whyNot(GuestSpec.builder().image(tiny).blankDisk(64).build()))
                .hasValueSatisfying(why -> assertThat(why).contains("blank disks"));
    }

    @Test
    void aGuestWaitingForABootLineBoots() {
        assertThat(whyNot(GuestSpec.builder().image(tiny).readyWhen("login:").build()))
                .hasValueSatisfying(why -> assertThat(why).contains("'login:'").contains("does not print again"));
    }

    @Test
    void aSocketPathTooLongForTheKernelMeansABoot() {
        assertThat(GuestRestores.whyNot(GuestSpec.builder().image(tiny).build(), tiny, dir.resolve("x".repeat(120))))
                .hasValueSatisfying(why -> assertThat(why).contains("longer than 107 bytes"));
    }

    @Test
    void everyReasonIsGivenAtOnce() {
        assertThat(whyNot(GuestSpec.builder().image(tiny).seed(Seed.NONE).password("s").blankDisk(64).build()))
                .hasValueSatisfying(why -> assertThat(why).contains("no NoCloud seed").contains("blank disks"));
    }

    @Test
    void theSettingIsOffUnlessSetOn() {
        String before = System.getProperty(GuestRestores.SETTING);
        try {
            System.clearProperty(GuestRestores.SETTING);
            assertThat(GuestRestores.enabledBySetting()).isFalse();
            System.setProperty(GuestRestores.SETTING, "true");
            assertThat(GuestRestores.enabledBySetting()).isTrue();
            System.setProperty(GuestRestores.SETTING, "on");
            assertThat(GuestRestores.enabledBySetting()).isTrue();
            System.setProperty(GuestRestores.SETTING, "off");
            assertThat(GuestRestores.enabledBySetting()).isFalse();
        } finally {
            if (before == null) {
                System.clearProperty(GuestRestores.SETTING);
            } else {
                System.setProperty(GuestRestores.SETTING, before);
            }
        }
    }

    @Test
    void theShapeTellsApartWhatQemuCannotTakeAStateInto() {
        GuestSpec spec = GuestSpec.builder().image(tiny).build();
        List<DomainPlan.Nic> userspaceOvs = List.of(DomainPlan.Nic.onBridge("52:54:00:00:00:01", "vuabc123b0", true, false, 0));
        List<DomainPlan.Nic> network = List.of(DomainPlan.Nic.onNetwork("52:54:00:00:00:02", "vu-abc123-net"));
        String base = GuestRestores.Shape.of(spec, "qemu", userspaceOvs).describe();

        assertThat(GuestRestores.Shape.of(spec, "qemu", List.of(DomainPlan.Nic.onBridge("52:54:00:00:00:09", "other", true,
                false, 7))).describe()).as("another bridge, VLAN and MAC: the same template").isEqualTo(base);
        assertThat(List.of(
                GuestRestores.Shape.of(spec, "qemu", network).describe(),
                GuestRestores.Shape.of(spec, "kvm", userspaceOvs).describe(),
                GuestRestores.Shape.of(GuestSpec.builder().image(tiny).memoryMiB(512).build(), "qemu", userspaceOvs).describe(),
                GuestRestores.Shape.of(GuestSpec.builder().image(tiny).vcpus(2).build(), "qemu", userspaceOvs).describe(),
                GuestRestores.Shape.of(GuestSpec.builder().image(tiny).graphics(Graphics.VNC).build(), "qemu", userspaceOvs).describe(),
                GuestRestores.Shape.of(spec, "qemu", List.of(userspaceOvs.get(0), network.get(0))).describe(),
                // A NIC on a bridge spanning hosts: QEMU's virtio-net carries its MTU.
                GuestRestores.Shape.of(spec, "qemu", List.of(DomainPlan.Nic.onBridge("52:54:00:00:00:01", "vuabc123b0",
                        true, false, 0, 1450))).describe()))
                .allSatisfy(other -> assertThat(other).isNotEqualTo(base)).doesNotHaveDuplicates();
    }

    @Test
    void aCopyIsToldEachOfItsNicsNewMacInOrder() {
        String saved = "<domain><devices><interface type='bridge'><mac address='52:54:00:aa:00:01'/></interface>"
                + "<interface type='network'><mac address='52:54:00:aa:00:02'/></interface></devices></domain>";

        assertThat(GuestRestores.macPairs(GuestRestores.templateMacs(saved), List.of("52:54:00:bb:00:01", "52:54:00:bb:00:02"), "g"))
                .containsExactly(Map.entry("52:54:00:aa:00:01", "52:54:00:bb:00:01"),
                        Map.entry("52:54:00:aa:00:02", "52:54:00:bb:00:02"));
    }

    @Test
    void aTemplateWithOtherNicsThanTheGuestIsRefused() {
        assertThatThrownBy(() -> GuestRestores.macPairs(List.of("52:54:00:aa:00:01"), List.of(), "vu-1-g"))
                .isInstanceOf(VirtunitException.class).hasMessageContaining("template of vu-1-g has 1 NICs and the guest 0");
    }
}
