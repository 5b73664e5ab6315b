package dev.virtunit.it.restore;

import dev.virtunit.Acceleration;
import dev.virtunit.Bridge;
import dev.virtunit.BridgeSpec;
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
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static dev.virtunit.assertions.VirtunitAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * "Boot once, restore many" with the tiny image (it must be a build with template mode: {@code scripts/build-test-image}
 * from this version on) in a fresh cache, {@code virtunit.restore=true}: the first guest of a shape saves a template,
 * and guests of that shape are restored from it, each with its own identity: two on one OVS bridge reach each other,
 * their host keys (verified at login), hostnames, addresses and MACs differ, their clocks are the host's. A second lab
 * restores from the saved template without saving another; a guest the template cannot serve (a blank disk) boots.
 * Prints restore-to-SSH against a cold boot (figures only; the benchmark measures them).
 */
class RestoredGuestIT {

    private static final String SETTING = "virtunit.restore";
    private static final String RESTORED = "template: identity received";

    private static Path cacheDir;
    private static LabConfig config;
    private static String settingBefore;

    @BeforeAll
    static void freshCacheAndRestoring() throws IOException {
        cacheDir = Files.createTempDirectory("virtunit-it-restore-");
        Files.setPosixFilePermissions(cacheDir, PosixFilePermissions.fromString("rwxr-xr-x"));
        // Software emulation, as a template is per accelerator: a fresh cache would otherwise prove KVM first.
        config = LabConfig.fromEnvironment().withCacheDir(cacheDir).withAcceleration(Acceleration.TCG);
        settingBefore = System.getProperty(SETTING);
        System.setProperty(SETTING, "true");
    }

    @AfterAll
    static void removeCache() throws IOException {
        if (settingBefore == null) {
            System.clearProperty(SETTING);
        } else {
            System.setProperty(SETTING, settingBefore);
        }
        try (Stream<Path> files = Files.walk(cacheDir)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        }
    }

    @Test
    void restoredGuestsHaveTheirOwnIdentityReachEachOtherAndALaterLabReusesTheTemplate() throws IOException {
        Path image = Path.of(System.getProperty("virtunit.testImage"));
        double firstSeconds;
        double restoredSeconds;
        double laterLabSeconds;
        double coldSeconds;
        try (Lab lab = Lab.start(config)) {
            Bridge lan = lab.bridge(BridgeSpec.ovs());
            GuestSpec spec = GuestSpec.builder().image(image).nic(lan).build();

            long start = System.nanoTime();
            Guest first = lab.guest(spec);
            firstSeconds = seconds(start);
            start = System.nanoTime();
            Guest second = lab.guest(spec);
            restoredSeconds = seconds(start);

            for (Guest guest : List.of(first, second)) {
                assertRestoredWithItsOwnIdentity(guest, image);
            }
            assertThat(first.ssh().hostKeyFingerprint()).isNotEqualTo(second.ssh().hostKeyFingerprint());
            assertThat(hostname(first)).isNotEqualTo(hostname(second));
            assertThat(first.address()).isNotEqualTo(second.address());
            assertThat(first.mac()).isNotEqualTo(second.mac());
            assertThat(first.ping(second.address())).isReachable();
            assertThat(second.ping(first.address())).isReachable();
        }
        Path template = onlyTemplate();
        FileTime saved = Files.getLastModifiedTime(template.resolve("memory.save"));

        try (Lab lab = Lab.start(config)) {
            Bridge lan = lab.bridge(BridgeSpec.ovs());
            long start = System.nanoTime();
            Guest later = lab.guest(GuestSpec.builder().image(image).nic(lan).build());
            laterLabSeconds = seconds(start);
            assertRestoredWithItsOwnIdentity(later, image);
            assertThat(onlyTemplate()).as("the second lab saves no template of its own").isEqualTo(template);
            assertThat(Files.getLastModifiedTime(template.resolve("memory.save"))).isEqualTo(saved);

            // The template has no blank disk: this guest boots, and still works.
            start = System.nanoTime();
            Guest cold = lab.guest(GuestSpec.builder().image(image).nic(lan).blankDisk(16).build());
            coldSeconds = seconds(start);
            assertThat(cold.ssh().exec("grep -c '" + RESTORED + "' /run/virtunit/boot.log")).hasStdout("0");
            assertThat(backingChain(cold)).doesNotContain(cacheDir.resolve("images/templates").toString());
            assertThat(cold.ping(later.address())).isReachable();
        }

        // Figures only: the topology benchmark measures them properly.
        System.out.printf("restore, %s:%n  first guest (template saved, then restored): %.2f s%n"
                        + "  restored guest to SSH-ready: %.2f s; in a later lab: %.2f s%n  cold boot (blank disk): %.2f s%n",
                image, firstSeconds, restoredSeconds, laterLabSeconds, coldSeconds);
    }

    /** Restored from the template (its boot log, its disk's backing chain), and with its own name, MAC and clock. */
    private static void assertRestoredWithItsOwnIdentity(Guest guest, Path image) {
        assertThat(guest.ssh().exec("grep -c '" + RESTORED + "' /run/virtunit/boot.log")).succeeded().hasStdout("1");
        assertThat(backingChain(guest)).contains(cacheDir.resolve("images/templates").toString());
        assertThat(hostname(guest)).isEqualTo(guest.name());
        assertThat(guest.ssh().exec("cat /sys/class/net/eth0/address")).succeeded().hasStdout(guest.mac());
        assertThat(guest.ssh().exec("ip -4 -o addr show eth0")).succeeded().stdoutContains(guest.address() + "/");
        // the one key the login verified is the one the guest serves
        ExecResult served = guest.ssh().exec("cat /etc/dropbear/dropbear_ed25519_host_key.pub");
        assertThat(served).succeeded();
        assertThat(fingerprint(served.stdout())).isEqualTo(guest.ssh().hostKeyFingerprint().orElseThrow());
        ExecResult clock = guest.ssh().exec("date +%s");
        assertThat(clock).succeeded();
        long skew = Math.abs(Long.parseLong(clock.stdout().strip()) - Instant.now().getEpochSecond());
        assertThat(skew).as("seconds between the guest's clock and the host's").isLessThanOrEqualTo(5);
    }

    /** As {@code ssh-keygen -lf} prints it: SHA256 of the key blob, base64 without padding. */
    private static String fingerprint(String publicKeyLine) {
        try {
            byte[] blob = Base64.getDecoder().decode(publicKeyLine.strip().split("\\s+")[1]);
            return "SHA256:" + Base64.getEncoder().withoutPadding()
                    .encodeToString(MessageDigest.getInstance("SHA-256").digest(blob));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hostname(Guest guest) {
        ExecResult hostname = guest.ssh().exec("hostname");
        assertThat(hostname).succeeded();
        return hostname.stdout().strip();
    }

    /** {@code qemu-img info --backing-chain} of the guest's first disk. */
    private static String backingChain(Guest guest) {
        String disk = guest.disks().stream().filter(d -> d.target().equals("vda")).findFirst().orElseThrow().source();
        return Command.check(Duration.ofSeconds(30), "qemu-img", "info", "-U", "--backing-chain", disk).stdout();
    }

    private static Path onlyTemplate() throws IOException {
        try (Stream<Path> templates = Files.list(cacheDir.resolve("images/templates"))) {
            List<Path> all = templates.filter(Files::isDirectory).toList();
            assertThat(all).as("templates saved in %s", cacheDir).hasSize(1);
            assertThat(all.get(0).resolve("memory.save")).isRegularFile();
            return all.get(0);
        }
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }
}
