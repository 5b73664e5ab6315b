package dev.virtunit.examples;

import java.time.Duration;
import dev.virtunit.observe.DiskInfo;
import dev.virtunit.Guest;
import dev.virtunit.junit.LibvirtGuest;
import dev.virtunit.junit.LibvirtTest;
import org.junit.jupiter.api.Test;

import static dev.virtunit.assertions.VirtunitAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The seed's "install from a Debian LiveCD":
 * <pre>
 * virt-install --connect qemu:///system --hvm --name debian-live --memory 512 --disk size=8 --cdrom debian-live.iso
 * </pre>
 * A new blank disk and the installer in the CD-ROM drive. The blank disk boots nothing, so the firmware starts the
 * CD; once the installer has written the disk, every boot after comes from the disk. The tiny live ISO's installer
 * is {@code virtunit-install}; yours would be your distribution's, driven the same way over SSH or by its answer file.
 */
@LibvirtTest
class InstallFromCdromExample {

    @LibvirtGuest(cdrom = "${virtunit.liveIso}", installDiskMiB = 256, memoryMiB = 512)
    static Guest debianLive;

    @Test
    void installsOntoTheNewDiskThenBootsFromIt() {
        assertThat(debianLive.disks()).extracting(DiskInfo::target, DiskInfo::device)
                .contains(org.assertj.core.groups.Tuple.tuple("vda", "disk"), org.assertj.core.groups.Tuple.tuple("hdc", "cdrom"));
        // First boot: the live system, running from RAM.
        assertThat(debianLive.ssh().exec("grep ' / ' /proc/mounts")).succeeded().stdoutContains("rootfs");

        assertThat(debianLive.ssh().exec("/usr/sbin/virtunit-install /dev/vda", Duration.ofMinutes(2)))
                .succeeded().stdoutContains("virtunit-install: done");
        debianLive.reboot();

        // Now the system runs from the disk it was installed on, and a file written there survives a reboot.
        assertThat(debianLive.ssh().exec("grep ' / ' /proc/mounts")).succeeded().stdoutContains("/dev/vda2 / ext4");
        assertThat(debianLive.ssh().exec("echo installed > /root/proof && sync")).succeeded();
        debianLive.reboot();
        assertThat(debianLive.ssh().exec("cat /root/proof")).succeeded().hasStdout("installed");
    }
}
