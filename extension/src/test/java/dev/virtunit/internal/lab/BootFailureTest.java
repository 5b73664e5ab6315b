package dev.virtunit.internal.lab;

import dev.virtunit.BootSource;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The failure message names what did not boot, quotes the console, and says what a bootable image is. */
class BootFailureTest {

    private final BootFailure noBootableDevice = new BootFailure("No bootable device.", "the firmware (SeaBIOS)",
            List.of("Booting from Hard Disk...", "Boot failed: not a bootable disk"));

    @Test
    void aDiskImageIsNamedWithTheLinesAndTheRemedy() {
        assertThat(noBootableDevice.explain(new BootSource.DiskImage(Path.of("/images/blank.qcow2"), Optional.empty())))
                .isEqualTo("from its disk image /images/blank.qcow2: the firmware (SeaBIOS) says \"No bootable device.\" "
                        + "after \"Booting from Hard Disk...\", \"Boot failed: not a bootable disk\". Use a bootable disk "
                        + "image: an MBR or GPT partition table with a BIOS boot loader installed (GRUB for i386-pc, or "
                        + "extlinux/syslinux); an image that boots only with UEFI needs UEFI firmware, which virtunit "
                        + "does not offer yet (its guests boot with SeaBIOS).");
    }

    @Test
    void aLiveCdIsNamedWithTheCdRemedy() {
        assertThat(noBootableDevice.explain(new BootSource.LiveCd(Path.of("/isos/data.iso"))))
                .startsWith("from its live CD /isos/data.iso: the firmware (SeaBIOS) says \"No bootable device.\"")
                .contains("El Torito boot record", "a plain data ISO does not boot", "UEFI");
    }

    @Test
    void anInstallerNamesTheCdAndTheDiskItInstalls() {
        assertThat(noBootableDevice.explain(new BootSource.InstallerCd(Path.of("/isos/installer.iso"), 2048)))
                .startsWith("from its installer CD /isos/installer.iso nor from the disk it installs: ")
                .endsWith("the installer must have put a BIOS boot loader on the disk.");
    }

    @Test
    void withoutAttemptsOnlyTheFinalLineIsQuoted() {
        assertThat(new BootFailure("Boot error", "the boot loader (syslinux)", List.of())
                .explain(new BootSource.DiskImage(Path.of("/i.raw"), Optional.empty())))
                .startsWith("from its disk image /i.raw: the boot loader (syslinux) says \"Boot error\". Use");
    }

    @Test
    void aKernelPanicGetsTheKernelsRemedyNotTheBootLoaders() {
        String explained = new BootFailure("Kernel panic - not syncing: IO-APIC + timer doesn't work!", BootFailure.KERNEL,
                List.of("Booting from Hard Disk...")).explain(new BootSource.DiskImage(Path.of("/i.qcow2"), Optional.empty()));

        assertThat(explained)
                .startsWith("from its disk image /i.qcow2: the guest's kernel says \"Kernel panic - not syncing: IO-APIC")
                .contains("after \"Booting from Hard Disk...\"", "no_timer_check", "virtunit.boot.concurrency",
                        "Attempted to kill init!", "virtio-blk")
                .doesNotContain("boot loader installed");
    }
}
