package dev.virtunit.internal.lab;

import dev.virtunit.Acceleration;
import dev.virtunit.CleanupMode;
import dev.virtunit.GuestSpec;
import dev.virtunit.LabConfig;
import dev.virtunit.internal.host.Command;
import dev.virtunit.observe.GuestState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link LabGuest#shutdown(Duration)}: ask by ACPI, wait the grace period, then force off and say so. */
class LabGuestShutdownTest {

    @TempDir
    Path stateDir;
    @TempDir
    Path images;

    private final FakeHypervisor hypervisor = new FakeHypervisor();
    private LabSession lab;

    @BeforeEach
    void startLab() {
        Path image = images.resolve("tiny.qcow2");
        Command.check(Duration.ofSeconds(30), "qemu-img", "create", "-q", "-f", "qcow2", image.toString(), "64M");
        LabConfig config = LabConfig.fromEnvironment().withStateDir(stateDir).withCacheDir(stateDir.resolve("cache"))
                .withAcceleration(Acceleration.TCG).withCleanup(CleanupMode.ALWAYS).withFirstBootCache(false);
        lab = LabSession.start(config, uri -> hypervisor);
    }

    @AfterEach
    void closeLab() {
        lab.close();
    }

    @Test
    void aGuestThatHonoursAcpiIsNotForcedOff() {
        LabGuest guest = lab.create(GuestSpec.builder().image(images.resolve("tiny.qcow2")).build(), "polite");

        String log = stderrOf(() -> guest.shutdown(Duration.ofSeconds(5)));

        assertThat(hypervisor.calls).contains("shutdownDomain " + guest.name())
                .doesNotContain("destroyDomain " + guest.name());
        assertThat(log).doesNotContain("forcing it off");
    }

    @Test
    void aGuestThatIgnoresAcpiIsForcedOffAfterTheGracePeriodAndTheLogSaysSo() {
        LabGuest guest = lab.create(GuestSpec.builder().image(images.resolve("tiny.qcow2")).build(), "deaf");
        hypervisor.ignoresShutdown = true;
        long started = System.nanoTime();

        String log = stderrOf(() -> guest.shutdown(Duration.ofMillis(600)));

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(Duration.ofMillis(600), Duration.ofSeconds(5));
        assertThat(hypervisor.calls).containsSubsequence("shutdownDomain " + guest.name(), "destroyDomain " + guest.name());
        assertThat(guest.state()).isEqualTo(GuestState.SHUT_OFF);
        assertThat(log).contains("guest " + guest.name() + " did not power off within 600 ms of the ACPI shutdown "
                + "request (does it handle the power button?); forcing it off (virsh destroy)");
    }

    /** What slf4j-simple wrote while {@code action} ran: it writes to whatever System.err is at the time. */
    private static String stderrOf(Runnable action) {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setErr(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}
