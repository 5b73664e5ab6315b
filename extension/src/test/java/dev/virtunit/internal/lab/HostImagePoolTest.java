package dev.virtunit.internal.lab;

import dev.virtunit.VirtunitException;
import dev.virtunit.internal.host.HostFiles;
import dev.virtunit.internal.host.MutationSteps;
import dev.virtunit.internal.host.RecordingHostCommands;
import dev.virtunit.internal.image.ImageDigests;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Images on a remote host: uploaded once into the kept pool by digest, a marker volume written only after the
 * upload, and a volume without its marker (an upload cut off) never used.
 */
class HostImagePoolTest {

    @TempDir
    Path dir;

    private final FakeHypervisor hypervisor = new FakeHypervisor();
    private final RecordingHostCommands host = new RecordingHostCommands();
    private Path image;
    private String stem;

    @BeforeEach
    void anImage() throws IOException {
        image = Files.writeString(dir.resolve("tiny.qcow2"), "QFI\u00fb an image");
        stem = new ImageDigests(dir.resolve("cache")).digest(image).replace(':', '-');
    }

    private HostImagePool pool() {
        return new HostImagePool(hypervisor, HostFiles.over(host, "root@kvm1:22"), new ImageDigests(dir.resolve("cache")),
                Path.of("/var/cache/virtunit"), "root@kvm1:22");
    }

    private List<String> imageVolumes() {
        return hypervisor.volumeNames(HostImagePool.POOL);
    }

    @Test
    void theFirstUseUploadsTheImageThenWritesItsMarker() {
        Path onHost = pool().onHost(image, "qcow2");

        assertThat(host.rendered()).containsExactly("mkdir -p -- /var/cache/virtunit/images-by-digest");
        String volume = onHost.getFileName().toString();
        assertThat(volume).matches(stem + "-[0-9a-f]{8}\\.qcow2");
        assertThat(hypervisor.calls).containsExactly("ensurePool virtunit-images", "createVolume " + volume,
                "uploadVolume " + volume, "createVolume " + volume + ".complete");
        assertThat(hypervisor.uploads).containsEntry(volume, image);
        assertThat(onHost).isEqualTo(Path.of("/fake/virtunit-images/" + volume));
        // Raw: the image's bytes go in as they are, into a volume of exactly their size.
        assertThat(hypervisor.volumeXml.get(volume)).containsPattern("<format type=.raw./>")
                .containsPattern("<capacity unit=.bytes.>" + image.toFile().length() + "</capacity>");
    }

    @Test
    void aLaterRunFindsItAndUploadsNothing() {
        Path first = pool().onHost(image, "qcow2");
        hypervisor.calls.clear();

        Path again = pool().onHost(image, "qcow2");

        assertThat(again).isEqualTo(first);
        assertThat(hypervisor.calls).containsExactly("ensurePool virtunit-images");
        assertThat(imageVolumes()).hasSize(2);
    }

    @Test
    void laterGuestsOfTheSameLabAskLibvirtNoMore() {
        HostImagePool pool = pool();
        Path first = pool.onHost(image, "qcow2");
        hypervisor.calls.clear();

        Path again = pool.onHost(image, "qcow2");

        assertThat(again).isEqualTo(first);
        assertThat(hypervisor.calls).isEmpty();
    }

    @Test
    void anUploadCutOffIsNeverTakenForTheImage() {
        // A JVM killed during its upload left its volume, and no marker.
        hypervisor.ensurePool("<pool><name>virtunit-images</name></pool>");
        hypervisor.createVolume(HostImagePool.POOL, "<volume><name>" + stem + "-00000000.qcow2</name></volume>");
        hypervisor.calls.clear();

        Path onHost = pool().onHost(image, "qcow2");

        assertThat(onHost.getFileName().toString()).isNotEqualTo(stem + "-00000000.qcow2");
        assertThat(hypervisor.calls).anyMatch(call -> call.startsWith("uploadVolume " + stem + "-"));
        assertThat(imageVolumes()).contains(stem + "-00000000.qcow2", onHost.getFileName() + ".complete");
    }

    @Test
    void aFailedUploadRemovesItsVolumeLeavesNoMarkerAndNamesTheImageAndTheHost() {
        hypervisor.failOn = "uploadVolume";

        assertThatThrownBy(() -> pool().onHost(image, "qcow2")).isInstanceOf(VirtunitException.class)
                .hasMessageContaining("cannot upload image " + image + " to volume " + stem + "-")
                .hasMessageContaining(" of pool virtunit-images on root@kvm1:22: cannot uploadVolume");
        assertThat(imageVolumes()).isEmpty();

        hypervisor.failOn = "";
        Path onHost = pool().onHost(image, "qcow2");
        assertThat(imageVolumes()).containsExactlyInAnyOrder(onHost.getFileName().toString(),
                onHost.getFileName() + ".complete");
    }

    @Test
    void aMarkerThatCannotBeWrittenLeavesNoVolumeToBeTaken() {
        // Steps: ensure the pool, create the volume, upload, create the marker: the fourth fails.
        MutationSteps steps = new MutationSteps().failAt(4);
        hypervisor.countingSteps(steps);

        assertThatThrownBy(() -> pool().onHost(image, "qcow2")).isInstanceOf(VirtunitException.class)
                .hasMessageContaining("cannot upload image " + image);

        assertThat(steps.steps().get(3)).contains("createVolume " + stem).endsWith(".complete");
        assertThat(imageVolumes()).isEmpty();
    }

    @Test
    void onlyAVolumeWithItsMarkerOfTheSameDigestAndKindCounts() {
        List<String> volumes = List.of("sha256-aa-0002.qcow2", "sha256-aa-0002.qcow2.complete", "sha256-aa-0001.qcow2",
                "sha256-aa-0003.qcow2", "sha256-aa-0003.qcow2.complete", "sha256-bb-0001.qcow2",
                "sha256-bb-0001.qcow2.complete", "sha256-aa-0004.iso", "sha256-aa-0004.iso.complete");

        assertThat(HostImagePool.completeVolume(volumes, "sha256-aa", "qcow2")).hasValue("sha256-aa-0002.qcow2");
        assertThat(HostImagePool.completeVolume(volumes, "sha256-aa", "iso")).hasValue("sha256-aa-0004.iso");
        assertThat(HostImagePool.completeVolume(volumes, "sha256-cc", "qcow2")).isEmpty();
        assertThat(HostImagePool.completeVolume(List.of("sha256-aa-0001.qcow2"), "sha256-aa", "qcow2")).isEmpty();
    }
}
