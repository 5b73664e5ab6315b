package dev.virtunit.internal.lab;

import dev.virtunit.observe.GuestState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import dev.virtunit.Acceleration;
import dev.virtunit.CleanupMode;
import dev.virtunit.GuestSpec;
import dev.virtunit.InvalidDeclarationException;
import dev.virtunit.LabConfig;
import dev.virtunit.internal.host.Command;
import dev.virtunit.internal.libvirt.LibvirtOperationException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The lab core on a fake hypervisor: what gets created, in which order, and that failures leave nothing behind. */
class LabSessionTest {

    @TempDir
    Path stateDir;
    @TempDir
    Path images;

    private final FakeHypervisor hypervisor = new FakeHypervisor();
    private Path image;
    private LabConfig config;

    @BeforeEach
    void setUp() {
        image = images.resolve("tiny.qcow2");
        Command.check(Duration.ofSeconds(30), "qemu-img", "create", "-q", "-f", "qcow2", image.toString(), "64M");
        config = LabConfig.fromEnvironment().withStateDir(stateDir).withCacheDir(stateDir.resolve("cache"))
                .withAcceleration(Acceleration.TCG).withCleanup(CleanupMode.ALWAYS).withFirstBootCache(false);
    }

    @Test
    void createsPoolOverlaySeedNetworkAndDomainAndRemovesThemAll() {
        LabSession lab = FakeLab.start(config, hypervisor);
        String run = lab.runId();

        LabGuest guest = lab.create(GuestSpec.builder().image(image).build(), "router");

        assertThat(guest.name()).isEqualTo("vu-" + run + "-router");
        assertThat(hypervisor.everything()).containsExactlyInAnyOrder(
                "domain vu-" + run + "-router", "network vu-" + run + "-net", "pool vu-" + run + "-pool",
                "volume vu-" + run + "-router-disk.qcow2");
        assertThat(hypervisor.domainState(guest.name()).isActive()).isTrue();
        String xml = hypervisor.domainXml(guest.name());
        assertThat(xml).contains("<domain type='qemu'>", "<tb-cache unit='MiB'>256</tb-cache>",
                "run='" + run + "'", "<source network='vu-" + run + "-net'/>", "<mac address='" + guest.mac() + "'/>",
                "-seed.iso'/>", "<log file='" + lab.pool().dir().resolve(guest.name() + "-console.log") + "'");
        assertThat(lab.pool().dir().resolve(guest.name() + "-seed.iso")).exists();
        assertThat(stateDir.resolve("runs").resolve(run + ".run")).exists();

        lab.close();

        assertThat(hypervisor.everything()).isEmpty();
        assertThat(hypervisor.closed).isTrue();
        assertThat(lab.pool().dir()).doesNotExist();
        assertThat(stateDir.resolve("runs").resolve(run + ".run")).doesNotExist();
        assertThat(stateDir.resolve("leases")).isEmptyDirectory();
        // Removal runs newest first: the domain goes before the disks it uses, the pool last.
        assertThat(hypervisor.calls).containsSubsequence("undefineDomain vu-" + run + "-router",
                "deleteVolume vu-" + run + "-router-disk.qcow2", "removeNetwork vu-" + run + "-net",
                "removePool vu-" + run + "-pool");
    }

    @Test
    void aGuestThatFailsToStartLeavesNothingOfItselfBehind() {
        LabSession lab = FakeLab.start(config, hypervisor);
        hypervisor.failOn = "startDomain";

        assertThatThrownBy(() -> lab.create(GuestSpec.builder().image(image).build(), "web"))
                .isInstanceOf(LibvirtOperationException.class)
                .hasMessageContaining("injected failure");

        String run = lab.runId();
        assertThat(hypervisor.everything()).containsExactlyInAnyOrder("network vu-" + run + "-net", "pool vu-" + run + "-pool");
        try (var files = Files.list(lab.pool().dir())) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("id_ed25519");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        lab.close();
        assertThat(hypervisor.everything()).isEmpty();
    }

    @Test
    void aNameInUseFailsLikeVirtInstallBeforeAnythingIsCreated() {
        hypervisor.domains.put("debian-base", GuestState.SHUT_OFF);
        LabSession lab = FakeLab.start(config, hypervisor);
        int callsBefore = hypervisor.calls.size();

        assertThatThrownBy(() -> lab.create(GuestSpec.builder().name("debian-base").image(image).build(), "x"))
                .isInstanceOf(InvalidDeclarationException.class)
                .hasMessage("Guest name 'debian-base' is already in use. Choose another name, leave the name out so "
                        + "virtunit picks a unique one, or remove the existing guest: virsh destroy debian-base; "
                        + "virsh undefine debian-base");
        assertThat(hypervisor.calls).hasSize(callsBefore);
        lab.close();
        assertThat(hypervisor.everything()).containsExactly("domain debian-base");
    }

    @Test
    void anImageThatIsNotADiskImageFailsBeforeAnythingIsCreated() throws Exception {
        Path notAnImage = images.resolve("notes.txt");
        Files.writeString(notAnImage, "hello");
        Command.check(Duration.ofSeconds(30), "qemu-img", "create", "-q", "-f", "vmdk", images.resolve("disk.vmdk").toString(), "1M");
        LabSession lab = FakeLab.start(config, hypervisor);

        assertThatThrownBy(() -> lab.create(GuestSpec.builder().image(images.resolve("disk.vmdk")).build(), "x"))
                .isInstanceOf(InvalidDeclarationException.class)
                .hasMessageEndingWith("is vmdk; virtunit imports qcow2 and raw images. Convert it: qemu-img convert -O qcow2 "
                        + images.resolve("disk.vmdk") + " image.qcow2");
        assertThat(hypervisor.everything()).doesNotContain("domain vu-" + lab.runId() + "-x");
        lab.close();
        assertThat(hypervisor.everything()).isEmpty();
    }

    @Test
    void twoGuestsWithTheSameLabelGetDistinctNames() {
        LabSession lab = FakeLab.start(config, hypervisor);

        String first = lab.create(GuestSpec.builder().image(image).build(), "node").name();
        String second = lab.create(GuestSpec.builder().image(image).build(), "node").name();

        assertThat(first).isEqualTo("vu-" + lab.runId() + "-node");
        assertThat(second).isEqualTo("vu-" + lab.runId() + "-node-2");
        // Nor does a later guest reuse the name of one removed before it: logs stay unambiguous.
        lab.remove(lab.create(GuestSpec.builder().image(image).build(), "solo"));
        assertThat(lab.create(GuestSpec.builder().image(image).build(), "solo").name()).isEqualTo("vu-" + lab.runId() + "-solo-2");
        lab.close();
        assertThat(hypervisor.everything()).isEmpty();
    }

    @Test
    void cleanupNeverKeepsEverythingAndMarksTheRunKept() {
        LabSession lab = FakeLab.start(config.withCleanup(CleanupMode.NEVER), hypervisor);
        LabGuest guest = lab.create(GuestSpec.builder().image(image).build(), "keep");

        lab.close(true);

        assertThat(hypervisor.everything()).contains("domain " + guest.name());
        RunRecord record = RunRecord.all(stateDir).get(0);
        assertThat(record.keptUntil()).isPresent();
        assertThat(record.isAbandoned()).isFalse();
    }

    @Test
    void aSweepRemovesWhatADeadRunLeftAndNothingElse() throws Exception {
        // A run whose process is gone: a pid that cannot exist.
        Files.createDirectories(stateDir.resolve("runs"));
        Files.writeString(stateDir.resolve("runs").resolve("dead01.run"),
                "pid=2147483646\nstarted=2020-01-01T00:00:00Z\nbootId=" + Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).strip() + "\nkept=false\n");
        hypervisor.domains.put("vu-dead01-web", GuestState.RUNNING);
        hypervisor.networks.put("vu-dead01-net", "<network/>");
        hypervisor.pools.put("vu-dead01-pool", new ArrayList<>(List.of("vu-dead01-web-disk.qcow2")));
        hypervisor.domains.put("vu-other-web", GuestState.RUNNING);
        hypervisor.domains.put("someone-elses", GuestState.RUNNING);

        LabSession lab = FakeLab.start(config, hypervisor);

        assertThat(hypervisor.everything()).contains("domain vu-other-web", "domain someone-elses")
                .noneMatch(object -> object.contains("dead01"));
        assertThat(stateDir.resolve("runs").resolve("dead01.run")).doesNotExist();
        lab.close();
    }
}
