package dev.virtunit.it;

import dev.virtunit.observe.BlockCounters;
import dev.virtunit.observe.DiskInfo;
import dev.virtunit.observe.DomainInfo;
import dev.virtunit.observe.ExecResult;
import dev.virtunit.Guest;
import dev.virtunit.observe.GuestState;
import dev.virtunit.observe.GuestStats;
import dev.virtunit.observe.InterfaceCounters;
import dev.virtunit.observe.InterfaceInfo;
import dev.virtunit.junit.LibvirtGuest;
import dev.virtunit.junit.LibvirtTest;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;

import static dev.virtunit.assertions.VirtunitAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * One guest for the whole class, imported from the tiny image, driven through everything the seed notes do with
 * virsh: SSH, files both ways, reboot, suspend and resume, shutdown and start, and every observation.
 * The order matters only to keep the lifecycle tests from undoing each other's state.
 */
@LibvirtTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GuestLifecycleIT {

    @LibvirtGuest(image = "${virtunit.testImage}", memoryMiB = 256, blankDisksMiB = 64)
    static Guest guest;

    @Test
    @Order(1)
    void logsInOverSshAsRootOnTheHostnameFromTheSeed() {
        ExecResult result = guest.ssh().exec("id -u; hostname; uname -r");

        assertThat(result).succeeded().stderrIsEmpty();
        assertThat(result.stdout().lines()).containsExactly("0", guest.name(), result.stdout().lines().toList().get(2));
        assertThat(result.stdout()).containsPattern("\\d+\\.\\d+\\.\\d+-\\d+-cloud-amd64");
        assertThat(guest.ssh().exec("exit 3")).failed().hasExitCode(3);
    }

    @Test
    @Order(2)
    void filesGoBothWaysOverSftp(@TempDir Path dir) throws Exception {
        byte[] content = new byte[200_000];
        new SecureRandom().nextBytes(content);
        Path local = dir.resolve("blob");
        Files.write(local, content);

        guest.ssh().upload(local, "/root/blob");
        assertThat(guest.ssh().exec("wc -c < /root/blob")).succeeded().hasStdout("200000");
        guest.ssh().download("/root/blob", dir.resolve("back"));

        assertThat(Files.readAllBytes(dir.resolve("back"))).isEqualTo(content);
    }

    @Test
    @Order(3)
    void aFileWrittenBeforeARebootIsStillThereAfter() {
        String bootBefore = guest.ssh().exec("cat /proc/sys/kernel/random/boot_id").stdout();
        assertThat(guest.ssh().exec("echo survived > /root/marker && sync")).succeeded();

        guest.reboot();

        assertThat(guest.ssh().exec("cat /proc/sys/kernel/random/boot_id").stdout()).isNotEqualTo(bootBefore);
        assertThat(guest.ssh().exec("cat /root/marker")).succeeded().hasStdout("survived");
    }

    @Test
    @Order(4)
    void suspendStopsTheGuestAndResumeBringsItBack() {
        guest.suspend();
        assertThat(guest.state()).isEqualTo(GuestState.PAUSED);
        long cpuWhilePaused = guest.info().cpuTime().toNanos();
        assertThat(guest.info().cpuTime().toNanos()).isEqualTo(cpuWhilePaused);

        guest.resume();

        assertThat(guest.state()).isIn(GuestState.RUNNING, GuestState.BLOCKED);
        assertThat(guest.ssh().exec("true")).succeeded();
    }

    @Test
    @Order(5)
    void shutdownPowersOffGracefullyAndStartBootsAgain() {
        guest.shutdown(Duration.ofSeconds(60));
        assertThat(guest.state()).isEqualTo(GuestState.SHUT_OFF);
        assertThat(guest.info().id()).isEmpty();
        // A clean power-off unmounts the root filesystem: nothing to recover on the next boot.
        assertThat(guest.consoleLog()).contains("virtunit-init: poweroff: root filesystem clean");

        guest.start();

        assertThat(guest.state()).isIn(GuestState.RUNNING, GuestState.BLOCKED);
        assertThat(guest.ssh().exec("cat /root/marker")).succeeded().hasStdout("survived");
    }

    @Test
    @Order(6)
    void virshObservationsReturnRealValues() {
        DomainInfo info = guest.info();
        assertThat(info.name()).isEqualTo(guest.name());
        assertThat(info.uuid()).isEqualTo(guest.uuid()).matches("[0-9a-f-]{36}");
        assertThat(info.id()).isPresent();
        assertThat(info.osType()).isEqualTo("hvm");
        assertThat(info.vcpus()).isEqualTo(1);
        assertThat(info.maxMemoryKiB()).isEqualTo(256 * 1024);
        assertThat(info.persistent()).isTrue();
        assertThat(info.autostart()).isFalse();

        assertThat(guest.interfaces()).singleElement().satisfies(nic -> {
            assertThat(nic.mac()).isEqualTo(guest.mac());
            assertThat(nic.type()).isEqualTo("network");
            assertThat(nic.model()).isEqualTo("virtio");
            assertThat(nic.device()).startsWith("vnet");
        });
        assertThat(guest.disks()).extracting(DiskInfo::target, DiskInfo::device)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("vda", "disk"),
                        org.assertj.core.groups.Tuple.tuple("vdb", "disk"),
                        org.assertj.core.groups.Tuple.tuple("hdc", "cdrom"));
        assertThat(guest.disks().get(0).source()).endsWith(guest.name() + "-disk.qcow2");
        assertThat(guest.xml()).contains("<name>" + guest.name() + "</name>", "https://virtunit.dev/xmlns/owner/1");
        assertThat(guest.consoleLog()).contains("virtunit-init: dropbear listening on 22");
        // The blank disk is there, of the size declared.
        assertThat(guest.ssh().exec("cat /sys/block/vdb/size")).succeeded().hasStdout(String.valueOf(64 * 1024 * 2));
    }

    @Test
    @Order(7)
    void countersGrowWithTraffic() {
        InterfaceInfo nic = guest.interfaces().get(0);
        InterfaceCounters nicBefore = guest.interfaceCounters(nic.device());
        BlockCounters diskBefore = guest.blockCounters("vda");

        // The host is .1 on the guest's network (an isolated network: DHCP gives no default route).
        String host = guest.address().replaceAll("\\.\\d+$", ".1");
        assertThat(guest.ping(host, 5)).isReachable().hasNoLoss();
        assertThat(guest.ssh().exec("dd if=/dev/urandom of=/root/written bs=64k count=32 && sync")).succeeded();

        InterfaceCounters nicAfter = guest.interfaceCounters(nic.device());
        BlockCounters diskAfter = guest.blockCounters("vda");
        assertThat(nicAfter.txPackets()).isGreaterThanOrEqualTo(nicBefore.txPackets() + 5);
        assertThat(nicAfter.rxPackets()).isGreaterThanOrEqualTo(nicBefore.rxPackets() + 5);
        assertThat(diskAfter.writeBytes()).isGreaterThanOrEqualTo(diskBefore.writeBytes() + 32 * 64 * 1024);

        GuestStats stats = guest.stats();
        assertThat(stats.state()).isIn(GuestState.RUNNING, GuestState.BLOCKED);
        assertThat(stats.cpuTime()).isPositive();
        assertThat(stats.memoryKiB()).containsKey("actual");
        assertThat(stats.interfaces()).singleElement().satisfies(c -> assertThat(c.txPackets()).isGreaterThanOrEqualTo(nicAfter.txPackets()));
        assertThat(stats.disks()).extracting(BlockCounters::device).contains("vda", "vdb");
    }
}
