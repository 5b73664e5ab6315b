package dev.virtunit.internal.lab;

import dev.virtunit.GuestSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Guests restored from a template on the fakes: the first guest of a shape saves a template once (a seedless boot with
 * an identity port, saved when it waits there), every guest of that shape is then restored from its own copy of the
 * save image (its own name and MACs in the XML) and told who it is through its port; a guest that cannot be restored
 * boots as before. Nothing is left in the run's pool folder.
 */
class GuestRestoreProvisioningTest {

    @TempDir
    Path dir;
    private final FakeHypervisor hypervisor = new FakeHypervisor();
    private LabSession lab;
    private String settingBefore;

    @BeforeEach
    void restoring() {
        settingBefore = System.getProperty(GuestRestores.SETTING);
        System.setProperty(GuestRestores.SETTING, "true");
    }

    @AfterEach
    void close() {
        if (lab != null) {
            lab.close();
        }
        if (settingBefore == null) {
            System.clearProperty(GuestRestores.SETTING);
        } else {
            System.setProperty(GuestRestores.SETTING, settingBefore);
        }
    }

    /** A blank image in a build folder whose manifest says it has template mode, as build-test-image makes it. */
    private Path imageWithTemplateMode() throws IOException {
        Path build = Files.createDirectories(dir.resolve("images/0123abcd"));
        Files.writeString(build.resolve("manifest.txt"), GuestRestores.TEMPLATE_MODE_FEATURE + "\n");
        return FakeLab.blankImage(build, "tiny.qcow2");
    }

    /** The content of seed file {@code file} in an identity message: its line count, then its lines. */
    private static String decoded(String identity, String file) {
        List<String> lines = identity.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("file " + file + " ")) {
                int count = Integer.parseInt(lines.get(i).substring(("file " + file + " ").length()));
                return String.join("\n", lines.subList(i + 1, i + 1 + count)) + "\n";
            }
        }
        throw new AssertionError("no file " + file + " in " + identity);
    }

    @Test
    void twoGuestsOfOneShapeAreRestoredFromOneTemplateEachWithItsOwnIdentity() throws Exception {
        lab = FakeLab.start(dir, hypervisor);
        GuestSpec spec = GuestSpec.builder().image(imageWithTemplateMode()).awaitSsh(false).build();

        LabGuest first = lab.create(spec, "first");
        first.awaitReady();
        LabGuest second = lab.create(spec, "second");
        second.awaitReady();

        List<String> calls = List.copyOf(hypervisor.calls);
        assertThat(calls.stream().filter(c -> c.startsWith("startDomain "))).singleElement()
                .satisfies(c -> assertThat(c).contains("-template-"));
        assertThat(calls.stream().filter(c -> c.startsWith("saveDomain "))).hasSize(1);
        assertThat(calls.stream().filter(c -> c.startsWith("restoreDomain "))).hasSize(2);
        String template = calls.stream().filter(c -> c.startsWith("saveDomain ")).findFirst().orElseThrow()
                .substring("saveDomain ".length());
        assertThat(hypervisor.domains).doesNotContainKey(template);
        String templateMac = GuestRestores.templateMacs(hypervisor.saveImages().get(0)).get(0);

        for (LabGuest guest : List.of(first, second)) {
            String identity = hypervisor.identities.get(guest.name()).get(10, TimeUnit.SECONDS);
            assertThat(identity).startsWith("virtunit-identity 2\n").endsWith("end\n")
                    .contains("mac " + templateMac + " " + guest.mac());
            assertThat(decoded(identity, "meta-data")).contains("local-hostname: " + guest.name());
            assertThat(decoded(identity, "network-config")).contains(guest.mac());
            assertThat(decoded(identity, "user-data")).contains("ed25519_private").contains("root@" + guest.name());
            // no seed CD-ROM: its seed came through the port
            assertThat(hypervisor.domainXml.get(guest.name())).doesNotContain("device='cdrom'")
                    .contains("dev.virtunit.identity");
        }
        assertThat(decoded(hypervisor.identities.get(first.name()).get(), "user-data"))
                .as("each guest its own host key").isNotEqualTo(decoded(hypervisor.identities.get(second.name()).get(), "user-data")
                        .replace(second.name(), first.name()));

        lab.close();
        lab = null;
        try (Stream<Path> left = Files.walk(dir.resolve("pools"))) {
            assertThat(left.map(p -> p.getFileName().toString()))
                    .noneMatch(n -> n.endsWith(".save") || n.endsWith(".identity") || n.endsWith("seed.iso"));
        }
        assertThat(hypervisor.domains).isEmpty();
    }

    @Test
    void aGuestOfAnImageWithoutTemplateModeBootsAsBefore() {
        lab = FakeLab.start(dir, hypervisor);
        LabGuest guest = lab.create(GuestSpec.builder().image(FakeLab.blankImage(dir, "debian.qcow2")).awaitSsh(false)
                .build(), "plain");
        guest.awaitReady();

        assertThat(hypervisor.calls).contains("startDomain " + guest.name())
                .noneMatch(c -> c.startsWith("saveDomain ") || c.startsWith("restoreDomain "));
        assertThat(hypervisor.domainXml.get(guest.name())).contains("device='cdrom'").doesNotContain("dev.virtunit.identity");
    }

    @Test
    void withTheSettingOffNoGuestIsRestored() throws IOException {
        System.setProperty(GuestRestores.SETTING, "false");
        lab = FakeLab.start(dir, hypervisor);
        LabGuest guest = lab.create(GuestSpec.builder().image(imageWithTemplateMode()).awaitSsh(false).build(), "cold");
        guest.awaitReady();

        assertThat(hypervisor.calls).contains("startDomain " + guest.name())
                .noneMatch(c -> c.startsWith("saveDomain ") || c.startsWith("restoreDomain "));
    }
}
