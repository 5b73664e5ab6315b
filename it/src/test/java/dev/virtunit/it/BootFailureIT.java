package dev.virtunit.it;

import dev.virtunit.GuestNotReadyException;
import dev.virtunit.GuestSpec;
import dev.virtunit.Lab;
import dev.virtunit.internal.host.Command;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A guest whose kernel panics at boot fails fast: the panic reaches libvirt through the pvpanic device, the domain
 * ends, and readiness reports it with the guest's console tail, long before the boot timeout. The broken guest is
 * the tiny image with its root filesystem's superblock wiped, so the initramfs finds no root and gives up.
 */
class BootFailureIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    @TempDir
    Path dir;

    @Test
    void aGuestThatPanicsAtBootFailsFastWithItsConsoleTail() throws Exception {
        Path broken = dir.resolve("no-root.raw");
        Command.check(TIMEOUT, "qemu-img", "convert", "-O", "raw", TestHost.get().testImage().toString(), broken.toString());
        wipeSuperblockOfPartition(broken, 2);

        try (Lab lab = Lab.start()) {
            String run = lab.runId();
            assertThatThrownBy(() -> lab.guest(GuestSpec.builder().image(broken).bootTimeout(TIMEOUT).build()))
                    .isInstanceOf(GuestNotReadyException.class)
                    // The panic on the console ends the wait (not the deadline), and explains it even when the
                    // domain powered off first (pvpanic): the kernel's line and the init's reason just before it.
                    .hasMessageContaining("did not boot from its disk image " + broken)
                    .hasMessageContaining("the guest's kernel says")
                    .hasMessageContaining("Kernel panic - not syncing: Attempted to kill init!")
                    .hasMessageContaining("\"virtunit-init: ERROR: root filesystem LABEL=vu-root not found")
                    .hasMessageContaining("Last lines of its serial console");
            // The failed guest is still removed, with everything it had.
            lab.close();
            assertThat(Command.check(TIMEOUT, "virsh", "-c", "qemu:///system", "list", "--all", "--name").stdout())
                    .doesNotContain(run);
        }
    }

    /** Zeroes the ext4 superblock (1 KiB into the partition) of partition {@code number} of a raw disk image. */
    private static void wipeSuperblockOfPartition(Path raw, int number) throws Exception {
        String table = Command.check(TIMEOUT, "sfdisk", "--dump", raw.toString()).stdout();
        Matcher start = Pattern.compile(Pattern.quote(raw.toString()) + number + "\\s*:\\s*start=\\s*(\\d+)").matcher(table);
        assertThat(start.find()).as("partition %d in %s", number, table).isTrue();
        long offset = Long.parseLong(start.group(1)) * 512 + 1024;
        try (RandomAccessFile file = new RandomAccessFile(raw.toFile(), "rw")) {
            file.seek(offset);
            file.write(new byte[4096]);
        }
    }

    @Test
    void aGuestSlowerThanItsBootTimeoutSaysWhichPhaseItReached() {
        try (Lab lab = Lab.start()) {
            assertThatThrownBy(() -> lab.guest(GuestSpec.builder().image(TestHost.get().testImage())
                    .bootTimeout(Duration.ofSeconds(2)).build()))
                    .isInstanceOf(GuestNotReadyException.class)
                    .hasMessageMatching("(?s)guest vu-\\w+-guest was not ready within 2 s: waiting for 'SSH port open' "
                            + "\\(\\d+\\.\\d s\\); reached: domain running after \\d+\\.\\d s, address known after "
                            + "\\d+\\.\\d s; state RUNNING\\..* Last lines of its serial console .*");
        }
    }
}
