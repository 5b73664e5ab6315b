package dev.virtunit.it;

import dev.virtunit.Guest;
import dev.virtunit.GuestSpec;
import dev.virtunit.Lab;
import dev.virtunit.LabConfig;
import dev.virtunit.internal.host.Command;
import dev.virtunit.observe.ExecResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import static dev.virtunit.assertions.VirtunitAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The first-boot cache with the Debian 12 image (cloud-init 22.4) in a fresh cache: the first guest warms the image,
 * and two later guests boot side by side from the warmed base, each with its own host key (verified at login),
 * machine-id and hostname. Prints their boot-to-SSH (host clock, from define to a verified login) and
 * boot-to-cloud-init-done (guest uptime when {@code cloud-init status --wait} returned); cold against cached is
 * measured by {@code RealImageBootBenchmarkIT}, on request.
 */
class FirstBootCacheIT {

    private static final Duration BOOT_TIMEOUT = Duration.ofSeconds(600);
    private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(5);

    private static Path cacheDir;
    private static LabConfig config;

    @BeforeAll
    static void freshCache() throws IOException {
        cacheDir = Files.createTempDirectory("virtunit-it-firstboot-");
        Files.setPosixFilePermissions(cacheDir, PosixFilePermissions.fromString("rwxr-xr-x"));
        LabConfig environment = LabConfig.fromEnvironment();
        TestHost.copyKvmProof(environment.cacheDir(), cacheDir);
        config = environment.withCacheDir(cacheDir);
    }

    @AfterAll
    static void removeCache() throws IOException {
        TestHost.deleteRecursively(cacheDir);
    }

    @Test
    void laterGuestsBootFromTheWarmedBaseEachWithItsOwnIdentity() {
        Path image = Path.of(System.getProperty("virtunit.debian12Image"));
        GuestSpec spec = GuestSpec.builder().image(image).memoryMiB(512).vcpus(2).bootTimeout(BOOT_TIMEOUT).build();

        try (Lab lab = Lab.start(config.withFirstBootCache(true))) {
            Boot warming = boot(lab, spec, false);
            Path base = warmedBase();
            assertThat(backingFile(warming.guest)).isEqualTo(base.toString());
            lab.remove(warming.guest);

            // Two guests from the warmed base side by side (as a test class's guests boot): each its own identity.
            CompletableFuture<Boot> firstBooting = CompletableFuture.supplyAsync(() -> boot(lab, spec, false));
            CompletableFuture<Boot> secondBooting = CompletableFuture.supplyAsync(() -> boot(lab, spec, false));
            Boot first = firstBooting.join();
            Boot second = secondBooting.join();
            for (Boot cached : List.of(first, second)) {
                assertThat(backingFile(cached.guest)).isEqualTo(base.toString());
                assertOwnIdentity(cached.guest);
            }
            assertThat(hostKey(first.guest)).isNotEqualTo(hostKey(second.guest));
            assertThat(machineId(first.guest)).isNotEqualTo(machineId(second.guest));
            assertThat(hostname(first.guest)).isNotEqualTo(hostname(second.guest));

            // Figures only: RealImageBootBenchmarkIT measures cold against cached (median of 5) on request.
            List<Boot> cached = List.of(first, second);
            System.out.printf("first-boot cache, %s:%n  warming: SSH %.1f s (warm-up included), cloud-init done at %.1f s%n"
                            + "  cached, two at once:  SSH %s s, cloud-init done at %s s%n",
                    image, warming.toSsh, warming.cloudInitDone,
                    cached.stream().map(b -> String.format("%.1f", b.toSsh)).toList(),
                    cached.stream().map(b -> String.format("%.1f", b.cloudInitDone)).toList());
        }
    }

    /** A guest's boot: host seconds from define to a verified SSH login, guest uptime when cloud-init was done. */
    private record Boot(Guest guest, double toSsh, double cloudInitDone) {
    }

    private static Boot boot(Lab lab, GuestSpec spec, boolean removeAfter) {
        long start = System.nanoTime();
        Guest guest = lab.guest(spec);
        double toSsh = (System.nanoTime() - start) / 1e9;
        ExecResult done = guest.ssh().exec("cloud-init status --wait --long >/tmp/status; cut -d' ' -f1 /proc/uptime",
                COMMAND_TIMEOUT);
        assertThat(done).succeeded();
        assertThat(guest.ssh().exec("cat /tmp/status")).succeeded().stdoutContains("status: done");
        Boot boot = new Boot(guest, toSsh, Double.parseDouble(done.stdout().strip()));
        if (removeAfter) {
            lab.remove(guest);
        }
        return boot;
    }

    /** The host key the login verified is the one on disk, the only one; the hostname and machine-id are new. */
    private static void assertOwnIdentity(Guest guest) {
        String verified = guest.ssh().hostKeyFingerprint().orElseThrow();
        assertThat(guest.ssh().exec("ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub")).succeeded().stdoutContains(verified);
        assertThat(guest.ssh().exec("ls /etc/ssh/ | grep '^ssh_host_.*_key$'")).succeeded().hasStdout("ssh_host_ed25519_key");
        assertThat(hostname(guest)).isEqualTo(guest.name());
        assertThat(machineId(guest)).matches("[0-9a-f]{32}");
        assertThat(guest.ssh().exec("cloud-init query instance-id 2>/dev/null || cat /var/lib/cloud/data/instance-id"))
                .succeeded().stdoutContains(guest.name());
    }

    private static String hostKey(Guest guest) {
        return guest.ssh().hostKeyFingerprint().orElseThrow();
    }

    private static String machineId(Guest guest) {
        return guest.ssh().exec("cat /etc/machine-id").stdout().strip();
    }

    private static String hostname(Guest guest) {
        return guest.ssh().exec("hostname").stdout().strip();
    }

    private static Path warmedBase() {
        try (Stream<Path> bases = Files.walk(cacheDir.resolve("images/warm"))) {
            return bases.filter(p -> p.getFileName().toString().equals("base.qcow2")).findFirst()
                    .orElseThrow(() -> new AssertionError("no warmed base under " + cacheDir.resolve("images/warm")));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static String backingFile(Guest guest) {
        String overlay = guest.disks().stream().filter(d -> d.target().equals("vda")).findFirst().orElseThrow().source();
        String json = Command.check(Duration.ofSeconds(30), "qemu-img", "info", "-U", "--output=json", overlay).stdout();
        return TestHost.jsonField(json, "backing-filename");
    }
}
