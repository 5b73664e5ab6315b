package dev.virtunit.internal.lab;

import dev.virtunit.GuestSpec;
import dev.virtunit.Seed;
import dev.virtunit.internal.host.Command;
import dev.virtunit.internal.image.FirstBootCache;
import dev.virtunit.internal.libvirt.LibvirtOperationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The first-boot cache's hook and warm-up on a fake hypervisor, where no guest ever boots: a warmed base is what a
 * guest's overlay goes on; a warm-up that fails leaves no domain, volume, seed or console log and the guest boots
 * cold; guests the cache is not for never start a warm-up.
 */
class FirstBootWarmUpTest {

    @TempDir
    Path stateDir;
    @TempDir
    Path images;

    private final FakeHypervisor hypervisor = new FakeHypervisor();
    private LabSession lab;
    private Path image;

    @BeforeEach
    void image() {
        image = FakeLab.blankImage(images, "cloud.qcow2");
    }

    @AfterEach
    void closeLab() {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void aGuestOfAWarmedImageGetsItsOverlayOnTheWarmedBase() throws IOException {
        Path base = new FirstBootCache(stateDir.resolve("cache")).base(image, FirstBootWarmUp.RECIPE,
                FirstBootWarmUp.SEED_SHAPE, (img, disk, key) -> {
                    Command.check(Duration.ofSeconds(30), "qemu-img", "create", "-q", "-f", "qcow2", "-F", "qcow2",
                            "-b", img.toString(), disk.toString());
                    return Optional.empty();
                }).orElseThrow().disk();
        lab = FakeLab.start(stateDir, hypervisor, true);

        LabGuest guest = lab.create(GuestSpec.builder().image(image).build(), "cached");

        assertThat(hypervisor.volumeXml.get(guest.name() + "-disk.qcow2")).contains("<path>" + base + "</path>");
        assertThat(hypervisor.calls).noneMatch(call -> call.contains("warmup"));
    }

    @Test
    void aWarmUpThatFailsLeavesNothingAndTheGuestBootsColdFromTheImage() throws IOException {
        lab = FakeLab.start(stateDir, hypervisor, true);

        // The fake's guest never answers: the warm-up waits out this boot timeout, then gives up.
        LabGuest guest = lab.create(GuestSpec.builder().image(image).bootTimeout(Duration.ofSeconds(1)).build(), "cold");

        String warmUp = Names.domain(lab.runId(), "warmup-");
        assertThat(hypervisor.calls).anyMatch(call -> call.startsWith("startDomain " + warmUp))
                .anyMatch(call -> call.startsWith("undefineDomain " + warmUp))
                .anyMatch(call -> call.startsWith("deleteVolume " + warmUp));
        assertThat(hypervisor.domains).containsOnlyKeys(guest.name());
        assertThat(hypervisor.pools.get(lab.pool().name())).noneMatch(volume -> volume.startsWith(warmUp));
        assertThat(filesIn(lab.pool().dir())).noneMatch(file -> file.startsWith(warmUp));
        assertThat(hypervisor.volumeXml.get(guest.name() + "-disk.qcow2")).contains("<path>" + image.toRealPath() + "</path>");
        assertThat(warmedFiles()).noneMatch(file -> file.equals("base.qcow2") || file.equals("not-warmable.txt")
                || file.startsWith(".part-"));

        // Not tried again in this run: the next guest of the image boots cold at once.
        int calls = hypervisor.calls.size();
        LabGuest next = lab.create(GuestSpec.builder().image(image).bootTimeout(Duration.ofSeconds(1)).build(), "next");
        assertThat(hypervisor.calls.subList(calls, hypervisor.calls.size())).noneMatch(call -> call.contains("warmup"));
        assertThat(hypervisor.volumeXml.get(next.name() + "-disk.qcow2")).contains("<path>" + image.toRealPath() + "</path>");
    }

    @Test
    void aWarmUpWhoseDomainCannotStartRemovesWhatItMadeAndSaysWhy() {
        lab = FakeLab.start(stateDir, hypervisor, true);
        hypervisor.failOn = "startDomain";
        FirstBootWarmUp warmUp = new FirstBootWarmUp(lab, GuestSpec.builder().image(image).build(), "qemu");

        assertThatThrownBy(() -> warmUp.warm(image, stateDir.resolve("disk.qcow2"), "0123456789abcdef"))
                .isInstanceOf(LibvirtOperationException.class).hasMessageContaining("injected failure");

        assertThat(hypervisor.domains).isEmpty();
        assertThat(hypervisor.pools.get(lab.pool().name())).isEmpty();
        assertThat(filesIn(lab.pool().dir())).noneMatch(file -> file.contains("warmup"));
    }

    @Test
    void guestsTheCacheIsNotForNeverStartAWarmUp() {
        lab = FakeLab.start(stateDir, hypervisor, true);
        lab.create(GuestSpec.builder().image(image).seed(Seed.NONE).awaitSsh(false).build(), "seedless");
        lab.close();
        lab = FakeLab.start(stateDir, hypervisor, false);
        lab.create(GuestSpec.builder().image(image).build(), "switchedoff");

        assertThat(hypervisor.calls).noneMatch(call -> call.contains("warmup"));
    }

    private List<String> warmedFiles() throws IOException {
        Path warm = stateDir.resolve("cache/images/warm");
        if (!Files.isDirectory(warm)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(warm)) {
            return files.map(p -> p.getFileName().toString()).toList();
        }
    }

    private static List<String> filesIn(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).toList();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
