package dev.virtunit.it.remote;

import dev.virtunit.Guest;
import dev.virtunit.GuestSpec;
import dev.virtunit.LabConfig;
import dev.virtunit.internal.host.CommandResult;
import dev.virtunit.internal.host.HostCommands;
import dev.virtunit.internal.lab.LabSession;
import dev.virtunit.internal.ssh.SshHostCommands;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A lab on the second host's libvirt URI ({@code scripts/second-host up}): its pool, the tiny image (uploaded into the
 * host's {@code virtunit-images} pool once, found there by the next lab), its guest's disk, seed and console log are
 * made ON the second host and not on this machine, the guest boots there and is ready by its console, and all of it
 * but the image pool is gone from the second host after close. Runs only with
 * {@code -Dvirtunit.secondHost=/var/lib/virtunit-hosts/<NAME>}, like {@link SecondHostCommandsIT}.
 */
class RemoteLabIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final String IMAGE_POOL = "virtunit-images";

    private static SecondHost secondHost;
    private static SshHostCommands remote;
    private static String uri;
    private final HostCommands here = HostCommands.local();

    /** This run's state: its own, so that the lab's sweep sees no other run's records (of this machine's runs). */
    @TempDir
    Path stateDir;

    @BeforeAll
    static void connect() throws IOException {
        secondHost = SecondHost.named();
        uri = secondHost.get("uri");
        remote = secondHost.commands();
    }

    @AfterAll
    static void disconnect() {
        if (remote != null) {
            remote.close();
        }
    }

    private LabConfig config() {
        return secondHost.labConfig().withStateDir(stateDir);
    }

    private static GuestSpec tinyReadyByItsConsole() {
        return GuestSpec.builder().image("virtunit:tiny").awaitSsh(false).readyWhen("boot finished").build();
    }

    @Test
    void aLabOnTheSecondHostMakesItsGuestThereAndLeavesOnlyTheImagePool() {
        forgetUploadedImages();

        String guestName;
        String pool;
        Path poolDir;
        Path clientDir;
        List<String> imagesAfterFirstLab;
        try (LabSession lab = LabSession.start(config())) {
            assertThat(lab.isRemote()).isTrue();
            pool = "vu-" + lab.runId() + "-pool";
            poolDir = stateDir.resolve("pools").resolve(pool);
            clientDir = stateDir.resolve("clients").resolve(pool);

            Guest guest = lab.guest(tinyReadyByItsConsole());
            guestName = guest.name();

            // Its console log, written by QEMU on the second host, read through the lab.
            assertThat(guest.consoleLog()).contains("boot finished at");
            // On the second host: the domain, its volumes, the pool directory with the seed and the console log.
            assertThat(virshThere("domstate", guestName).stdout()).contains("running");
            assertThat(virshThere("vol-list", pool).stdout()).contains(guestName + "-disk.qcow2");
            assertThat(there("test", "-d", poolDir.toString()).exitCode()).isZero();
            assertThat(there("test", "-s", poolDir.resolve(guestName + "-seed.iso").toString()).exitCode()).isZero();
            assertThat(there("test", "-s", poolDir.resolve(guestName + "-console.log").toString()).exitCode()).isZero();
            // The overlay's backing file is the uploaded image on the second host.
            imagesAfterFirstLab = imageVolumes();
            assertThat(imagesAfterFirstLab).hasSize(2);
            String image = imagesAfterFirstLab.stream().filter(v -> v.endsWith(".qcow2")).findFirst().orElseThrow();
            assertThat(imagesAfterFirstLab).containsExactlyInAnyOrder(image, image + ".complete");
            assertThat(image).startsWith("sha256-");
            assertThat(virshThere("vol-dumpxml", "--pool", pool, guestName + "-disk.qcow2").stdout())
                    .contains("/images-by-digest/" + image);
            // And none of it here: no such domain, no pool directory; this JVM's key is in its client directory.
            assertThat(here.run(TIMEOUT, List.of("virsh", "-c", "qemu:///system", "domstate", guestName)).succeeded())
                    .as("a domain %s on this machine", guestName).isFalse();
            assertThat(poolDir).doesNotExist();
            assertThat(clientDir.resolve("id_ed25519")).exists();
        }

        assertThat(virshThere("domstate", guestName).succeeded()).as("domain %s left on the second host", guestName)
                .isFalse();
        assertThat(virshThere("pool-info", pool).succeeded())
                .as("the run's pool left on the second host").isFalse();
        assertThat(there("test", "-e", poolDir.toString()).exitCode()).as("pool directory on the second host")
                .isEqualTo(1);
        assertThat(clientDir).doesNotExist();

        // A second lab finds the image there: nothing crosses the wire again, no volume is added.
        try (LabSession again = LabSession.start(config())) {
            // Defined and started, not awaited: the image is what this lab is about.
            again.remove(again.create(tinyReadyByItsConsole(), "again"));
            assertThat(imageVolumes()).containsExactlyInAnyOrderElementsOf(imagesAfterFirstLab);
        }
        assertThat(imageVolumes()).as("the image pool stays, by design").containsExactlyInAnyOrderElementsOf(imagesAfterFirstLab);
    }

    /** Removes what earlier runs uploaded, so that this one uploads the image itself. */
    private static void forgetUploadedImages() {
        if (virshThere("pool-info", IMAGE_POOL).succeeded()) {
            for (String volume : imageVolumes()) {
                assertThat(virshThere("vol-delete", "--pool", IMAGE_POOL, volume).succeeded()).isTrue();
            }
        }
    }

    private static List<String> imageVolumes() {
        CommandResult list = virshThere("vol-list", IMAGE_POOL);
        assertThat(list.succeeded()).as("vol-list %s: %s", IMAGE_POOL, list.stderr()).isTrue();
        // " Name   Path", a line of dashes, then one volume a line
        return Arrays.stream(list.stdout().split("\n")).skip(2).map(String::strip).filter(s -> !s.isEmpty())
                .map(line -> line.split("\\s+")[0]).toList();
    }

    private static CommandResult virshThere(String... args) {
        List<String> argv = new java.util.ArrayList<>(List.of("virsh", "-c", uri));
        argv.addAll(List.of(args));
        return HostCommands.local().run(TIMEOUT, argv);
    }

    private static CommandResult there(String... argv) {
        return remote.run(TIMEOUT, List.of(argv));
    }
}
