package dev.virtunit.it.input;

import dev.virtunit.Bridge;
import dev.virtunit.BridgeSpec;
import dev.virtunit.GuestSpec;
import dev.virtunit.InvalidDeclarationException;
import dev.virtunit.Lab;
import dev.virtunit.LabConfig;
import dev.virtunit.VirtunitException;
import dev.virtunit.internal.host.Command;
import dev.virtunit.internal.lab.LabSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Bad input only a real host can show: an image only another uid may read, a file named .qcow2 that is none, and
 * two guests declaring one static address on a real bridge. Each fails with a message
 * naming the image or address, the rule and the remedy, and nothing of the run is left: no domain, volume or pool in
 * libvirt, no OVS bridge or Linux link, no nftables table, no state file.
 */
class BadInputIT {

    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
    /** A uid no account has: only DAC override opens its files. */
    private static final String STRANGER = "54321";

    @TempDir
    Path dir;

    /**
     * What "an image QEMU cannot read" means on this host: nothing root can read. libvirt 9 here runs QEMU as uid 0
     * (qemu.conf sets no user) keeping CAP_DAC_OVERRIDE, so a 0600 image of another uid in that uid's 0700 directory
     * is read all the same: this blank disk gets as far as the firmware's "No bootable device.". Where QEMU runs as
     * its own user, the spec's readable-file rule and libvirt's start error are what remain; this test fails the
     * day that changes here, so the case is looked at again.
     */
    @Test
    void anImageOnlyAnotherUidMayReadIsStillReadByQemuRunningAsRoot() throws Exception {
        Path locked = Files.createDirectory(dir.resolve("locked"));
        Path image = locked.resolve("private.qcow2");
        Command.check(COMMAND_TIMEOUT, "qemu-img", "create", "-q", "-f", "qcow2", image.toString(), "64M");
        Files.setPosixFilePermissions(image, PosixFilePermissions.fromString("rw-------"));
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rwx------"));
        Command.check(COMMAND_TIMEOUT, "chown", "-R", STRANGER + ":" + STRANGER, locked.toString());

        String run = assertRefused(lab -> lab.guest(GuestSpec.builder().image(image).bootTimeout(Duration.ofSeconds(60)).build()),
                "did not boot from its disk image " + image + ": the firmware (SeaBIOS) says \"No bootable device.\"");
        assertNothingLeft(run);
    }

    @Test
    void aFileNamedQcow2WithoutAQcow2HeaderIsRefusedBeforeAnyVolume() throws Exception {
        byte[] noise = new byte[1024 * 1024];
        new Random(9).nextBytes(noise);
        Path corrupt = Files.write(dir.resolve("corrupt.qcow2"), noise);

        String run = assertRefused(lab -> lab.guest(GuestSpec.builder().image(corrupt).build()),
                "guest: image '" + corrupt + "' is named .qcow2, but qemu-img finds no qcow2 header in it (it reads as "
                        + "raw bytes): the file is damaged or not what its name says; download or build it again, "
                        + "and check it with qemu-img check");
        assertNothingLeft(run);
    }

    @Test
    void twoGuestsWithOneStaticAddressOnABridgeAreRefusedBeforeTheSecondExists() throws Exception {
        Path image = Path.of(System.getProperty("virtunit.testImage"));
        String[] run = new String[1];
        try (Lab lab = Lab.start()) {
            run[0] = lab.runId();
            Bridge lan = lab.bridge(BridgeSpec.ovs());
            LabSession session = (LabSession) lab;
            session.create(GuestSpec.builder().image(image).nic(lan, ".20").build(), "first");

            assertThatThrownBy(() -> session.create(GuestSpec.builder().image(image).nic(lan, ".20").build(), "second"))
                    .isInstanceOf(InvalidDeclarationException.class)
                    .hasMessage("address '.20' of guest vu-" + run[0] + "-second on bridge " + lan.name() + " is already "
                            + "held by guest vu-" + run[0] + "-first; two guests on one segment cannot share an "
                            + "address: give this one another, or leave its address out and virtunit picks a free one");
            assertThat(virsh("list", "--all", "--name")).contains("vu-" + run[0] + "-first")
                    .doesNotContain("vu-" + run[0] + "-second");
            assertThat(virsh("vol-list", "vu-" + run[0] + "-pool")).doesNotContain("second");
        }
        assertNothingLeft(run[0]);
    }

    private interface LabUse {
        void use(Lab lab);
    }

    /** Runs {@code use} in a fresh lab, expects a refusal containing {@code expected}; the lab's run id. */
    private static String assertRefused(LabUse use, String... expected) {
        try (Lab lab = Lab.start(LabConfig.fromEnvironment())) {
            assertThatThrownBy(() -> use.use(lab)).isInstanceOf(VirtunitException.class)
                    .satisfies(e -> System.out.println("refused: " + e.getMessage()))
                    .hasMessageContainingAll(expected);
            return lab.runId();
        }
    }

    /** Nothing named after {@code run} in libvirt, Open vSwitch, the links, nftables or the state directory. */
    private static void assertNothingLeft(String run) throws Exception {
        assertThat(virsh("list", "--all", "--name")).doesNotContain(run);
        assertThat(virsh("pool-list", "--all", "--name")).doesNotContain(run);
        assertThat(virsh("net-list", "--all", "--name")).doesNotContain(run);
        assertThat(Command.check(COMMAND_TIMEOUT, "ovs-vsctl", "list-br").stdout()).doesNotContain("vu" + run);
        assertThat(Command.check(COMMAND_TIMEOUT, "ip", "-o", "link").stdout()).doesNotContain("vu" + run);
        assertThat(Command.check(COMMAND_TIMEOUT, "nft", "list", "tables").stdout()).doesNotContain("vu_" + run);
        for (String kind : List.of("runs", "pools", "leases")) {
            Path state = Path.of("/var/lib/virtunit", kind);
            if (Files.isDirectory(state)) {
                try (var files = Files.list(state)) {
                    assertThat(files.map(f -> f.getFileName().toString()).toList()).as(kind)
                            .noneMatch(name -> name.contains(run));
                }
            }
        }
    }

    private static String virsh(String... args) {
        List<String> argv = new java.util.ArrayList<>(List.of("virsh", "-c", "qemu:///system"));
        argv.addAll(List.of(args));
        return Command.check(COMMAND_TIMEOUT, argv.toArray(String[]::new)).stdout();
    }
}
