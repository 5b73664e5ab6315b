package dev.virtunit.internal.lab;

import dev.virtunit.GuestNotReadyException;
import dev.virtunit.GuestSpec;
import dev.virtunit.observe.GuestState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Readiness on a fake hypervisor, with the console log written by the test: a console that says the guest will not
 * boot ends the wait at once; an ordinary one does not.
 */
class ReadinessTest {

    private static final String FIRMWARE_GAVE_UP = "\u001Bc\u001B[?7l\u001B[2J\u001B[0mSeaBIOS (version 1.16.2-debian-1.16.2-1)\r\n"
            + "Booting from Hard Disk...\r\nBoot failed: not a bootable disk\r\n\r\nNo bootable device.\r\n";

    @TempDir
    Path stateDir;
    @TempDir
    Path images;

    private final FakeHypervisor hypervisor = new FakeHypervisor();
    private LabSession lab;
    private Path image;

    @BeforeEach
    void setUp() {
        image = FakeLab.blankImage(images, "blank.qcow2");
        lab = FakeLab.start(stateDir, hypervisor);
        // Readiness itself is under test here; each guest's console decides before any SSH phase is reached.
        lab.readiness(LabGuest::awaitReadyNow);
    }

    @AfterEach
    void closeLab() {
        lab.close();
    }

    @Test
    void aGuestWhoseFirmwareFindsNothingToBootFailsWithinSecondsNotAtItsBootTimeout() throws IOException {
        // Written before the guest exists: its boot (and readiness) begins as it is created.
        Files.writeString(lab.pool().dir().resolve(Names.domain(lab.runId(), "blank") + "-console.log"), FIRMWARE_GAVE_UP,
                StandardCharsets.ISO_8859_1);
        long started = System.nanoTime();
        LabGuest guest = lab.create(GuestSpec.builder().image(image).bootTimeout(Duration.ofSeconds(60)).build(), "blank");

        assertThatThrownBy(guest::awaitReady).isInstanceOf(GuestNotReadyException.class)
                .hasMessageStartingWith("guest " + guest.name() + " did not boot from its disk image " + image
                        + ": the firmware (SeaBIOS) says \"No bootable device.\" after \"Booting from Hard Disk...\", "
                        + "\"Boot failed: not a bootable disk\". Use a bootable disk image: ")
                .hasMessageMatching("(?s).* \\(noticed \\d+\\.\\d s into '[a-zA-Z ]+'; reached: .*")
                .hasMessageContaining("; state RUNNING.) Last lines of its serial console (" + guest.consoleLogPath() + "):\n"
                        + "SeaBIOS (version 1.16.2-debian-1.16.2-1)\nBooting from Hard Disk...");

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void aKernelThatPanickedAndPoweredOffIsExplainedByItsConsoleNotAsJustStopped() throws IOException {
        // pvpanic powers the domain off right after the panic: both are there when readiness first looks.
        Files.writeString(lab.pool().dir().resolve(Names.domain(lab.runId(), "panics") + "-console.log"),
                "virtunit-init: ERROR: root filesystem LABEL=vu-root not found\r\nvirtunit-init: kernel panic follows\r\n"
                        + "[   16.57] Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000100\r\n",
                StandardCharsets.ISO_8859_1);
        LabGuest guest = lab.create(GuestSpec.builder().image(image).bootTimeout(Duration.ofSeconds(60)).build(), "panics");
        hypervisor.destroyDomain(guest.name());

        assertThatThrownBy(guest::awaitReady).isInstanceOf(GuestNotReadyException.class)
                .hasMessageContaining("did not boot from its disk image " + image + ": the guest's kernel says "
                        + "\"[   16.57] Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000100\" after "
                        + "\"virtunit-init: ERROR: root filesystem LABEL=vu-root not found\"")
                .hasMessageNotContaining("stopped before it was ready");
    }

    @Test
    void aGuestWhoseConsoleShowsAnOrdinaryBootWaitsForItsDeadline() throws IOException {
        // Awaited by a console line only: the wait touches no network, and the fake's address answers nothing.
        LabGuest guest = lab.create(GuestSpec.builder().image(image).bootTimeout(Duration.ofSeconds(1)).awaitSsh(false)
                .readyWhen("login:").build(), "slow");
        Files.writeString(guest.consoleLogPath(), "SeaBIOS (version 1.16.2-debian-1.16.2-1)\r\nBooting from Hard Disk...\r\n"
                + "Boot failed: not a bootable disk\r\nBooting from DVD/CD...\r\nISOLINUX 6.04\r\n", StandardCharsets.ISO_8859_1);

        assertThatThrownBy(guest::awaitReady).isInstanceOf(GuestNotReadyException.class)
                .hasMessageStartingWith("guest " + guest.name() + " was not ready within 1 s: waiting for 'console shows 'login:''");
    }

    @Test
    void aGuestThatQemuPausedFailsWithinSecondsNotAtItsBootTimeout() {
        // What a KVM that cannot run the guest's code does: QEMU logs "KVM internal error" and pauses the guest.
        long started = System.nanoTime();
        LabGuest guest = lab.create(GuestSpec.builder().image(image).bootTimeout(Duration.ofSeconds(60)).awaitSsh(false)
                .readyWhen("login:").build(), "paused");
        hypervisor.domains.put(guest.name(), GuestState.PAUSED);

        assertThatThrownBy(guest::awaitReady).isInstanceOf(GuestNotReadyException.class)
                .hasMessageStartingWith("guest " + guest.name() + " was paused by QEMU before it was ready, while "
                        + "waiting for '")
                .hasMessageContaining("Last lines of its serial console (" + guest.consoleLogPath() + ")");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(15));
    }

    @Test
    void qemusLogGivesWhyItPausedTheGuestFromItsLastRunOnly(@TempDir Path logs) throws IOException {
        Files.writeString(logs.resolve("vu-1a2b3c-router.log"), String.join("\n",
                "2026-11-30 18:10:01.000+0000: starting up libvirt version: 9.0.0",
                "KVM internal error. Suberror: 1 (an earlier run)",
                "2026-11-30 18:14:09.000+0000: starting up libvirt version: 9.0.0",
                "-accel kvm \\",
                "KVM internal error. Suberror: 1",
                "emulation failure",
                "EAX=00000c62 EBX=00000000 ECX=0000000c EDX=62177387"));

        assertThat(new QemuLog(logs, "vu-1a2b3c-router").stopReasons())
                .isEqualTo("KVM internal error. Suberror: 1\nemulation failure");
        assertThat(new QemuLog(logs, "vu-1a2b3c-other").stopReasons()).as("no log").isEmpty();
        assertThat(QemuLog.of("qemu+ssh://host/system", "vu-1a2b3c-router").stopReasons()).as("a remote host's").isEmpty();
    }
}
