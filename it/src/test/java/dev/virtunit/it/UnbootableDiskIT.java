package dev.virtunit.it;

import dev.virtunit.GuestNotReadyException;
import dev.virtunit.GuestSpec;
import dev.virtunit.Lab;
import dev.virtunit.internal.host.Command;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A disk or CD that does not boot fails within seconds, not at the boot timeout: SeaBIOS writes to the serial
 * console, readiness sees "No bootable device." there, and the error quotes it with what the firmware tried, names
 * the image and says what a bootable one is. Nothing of the guest is left afterwards.
 */
class UnbootableDiskIT {

    /** Long, so that failing well inside it proves the console ended the wait, not the deadline. */
    private static final Duration BOOT_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration FAST_ENOUGH = Duration.ofSeconds(60);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void aBlankDiskFailsWithinSecondsQuotingTheFirmware() {
        Path blank = dir.resolve("blank.qcow2");
        Command.check(COMMAND_TIMEOUT, "qemu-img", "create", "-q", "-f", "qcow2", blank.toString(), "64M");

        assertFailsFast(GuestSpec.builder().image(blank).bootTimeout(BOOT_TIMEOUT).build(),
                "did not boot from its disk image " + blank + ": the firmware (SeaBIOS) says \"No bootable device.\" "
                        + "after \"Booting from Hard Disk...\", \"Boot failed: not a bootable disk\". Use a bootable disk image",
                "UEFI");
    }

    @Test
    void aDataIsoAsLiveCdFailsWithinSecondsQuotingTheFirmware() throws Exception {
        Path content = Files.createDirectories(dir.resolve("content"));
        Files.writeString(content.resolve("readme.txt"), "data, no boot record\n");
        Path iso = dir.resolve("data.iso");
        Command.check(COMMAND_TIMEOUT, "genisoimage", "-quiet", "-o", iso.toString(), "-V", "DATA", "-r", "-J",
                content.toString());

        assertFailsFast(GuestSpec.builder().liveCd(iso).bootTimeout(BOOT_TIMEOUT).build(),
                "did not boot from its live CD " + iso + ": the firmware (SeaBIOS) says \"No bootable device.\" after "
                        + "\"Booting from DVD/CD...\", \"Boot failed: Could not read from CDROM (code 0004)\"",
                "a plain data ISO does not boot");
    }

    private static void assertFailsFast(GuestSpec spec, String... expected) {
        String run;
        try (Lab lab = Lab.start()) {
            run = lab.runId();
            long started = System.nanoTime();
            assertThatThrownBy(() -> lab.guest(spec)).isInstanceOf(GuestNotReadyException.class)
                    .hasMessageContainingAll(expected)
                    .hasMessageContaining("Last lines of its serial console");
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            System.out.printf("%s: failed after %.1f s (boot timeout %d s)%n", spec, took.toMillis() / 1e3,
                    BOOT_TIMEOUT.toSeconds());
            assertThat(took).isLessThan(FAST_ENOUGH);
        }
        // The guest that never booted is removed with everything it had: domain, volumes, pool.
        assertThat(virsh("list", "--all", "--name")).doesNotContain(run);
        assertThat(virsh("pool-list", "--all", "--name")).doesNotContain(run);
        assertThat(Files.exists(TestHost.POOLS_DIR.resolve("vu-" + run + "-pool"))).isFalse();
    }

    private static String virsh(String... args) {
        List<String> argv = new ArrayList<>(List.of("virsh", "-c", "qemu:///system"));
        argv.addAll(List.of(args));
        return Command.check(COMMAND_TIMEOUT, argv).stdout();
    }
}
