package dev.virtunit.it;

import dev.virtunit.observe.DiskInfo;
import dev.virtunit.Guest;
import dev.virtunit.GuestSpec;
import dev.virtunit.Lab;
import dev.virtunit.junit.LibvirtGuest;
import dev.virtunit.junit.LibvirtTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static dev.virtunit.assertions.VirtunitAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/** The seed's live CD (no disk at all), and the promise that an imported image is never written. */
@LibvirtTest
class LiveCdAndImageIT {

    private static String baseImageChecksum;

    @BeforeAll
    static void rememberTheBaseImage() {
        baseImageChecksum = TestHost.sha256(TestHost.get().testImage());
    }

    @LibvirtGuest(liveCd = "${virtunit.liveIso}")
    static Guest live;

    @Test
    void theLiveCdGuestBootsFromTheIsoWithNoDisk() {
        assertThat(live.disks()).extracting(DiskInfo::device).containsOnly("cdrom");
        assertThat(live.disks().get(0).source()).isEqualTo(TestHost.get().liveIso().toString());
        // The whole system runs from RAM: the root filesystem is not a disk.
        assertThat(live.ssh().exec("grep ' / ' /proc/mounts")).succeeded().stdoutContains("rootfs");
        assertThat(live.ssh().exec("ls /sys/block")).succeeded().stdoutContains("sr0");
        assertThat(live.ssh().exec("ls /sys/block").stdout()).doesNotContain("vda");
    }

    @Test
    void guestsWritingToTheirDisksLeaveTheBaseImageByteForByteUnchanged() {
        Path image = TestHost.get().testImage();
        try (Lab lab = Lab.start()) {
            Guest writer = lab.guest(GuestSpec.builder().image(image).build());
            assertThat(writer.ssh().exec("dd if=/dev/urandom of=/root/junk bs=1M count=4 && sync")).succeeded();
            writer.shutdown();
        }

        assertThat(TestHost.sha256(image)).isEqualTo(baseImageChecksum);
    }
}
