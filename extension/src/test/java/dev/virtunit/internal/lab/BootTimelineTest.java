package dev.virtunit.internal.lab;

import dev.virtunit.GuestSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** The one "ready" line per boot: each phase with its time, the total, on a clock the test moves. */
class BootTimelineTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    private void advance(long millis) {
        now.addAndGet(Duration.ofMillis(millis).toNanos());
    }

    @Test
    void eachPhaseLastsFromTheEndOfTheOneBeforeAndTheTotalIsTheirSum() {
        BootTimeline timeline = new BootTimeline("vu-1a2b3c-router", now::get);
        advance(200);
        timeline.phase("defined");
        advance(100);
        timeline.phase("started");
        advance(40);
        timeline.phase("domain running");
        advance(3_100);
        timeline.phase("SSH port open");
        advance(4_000);
        timeline.phase("cloud-init done");
        timeline.noteOnLastPhase("the image has no cloud-init");
        advance(160);

        assertThat(timeline.readyLine()).isEqualTo("guest vu-1a2b3c-router ready in 7.6 s: defined 0.2 s, started 0.1 s, "
                + "domain running 0.0 s, SSH port open 3.1 s, cloud-init done 4.0 s (the image has no cloud-init)");
        assertThat(timeline.elapsed()).isEqualTo(Duration.ofMillis(7_600));
    }

    @Test
    void aWaitForABootSlotIsShownOnlyWhenThereWasOne() {
        BootTimeline timeline = new BootTimeline("g", now::get);
        timeline.phase("defined");
        advance(10);
        timeline.phaseIfNoticeable("waited for a boot slot");
        advance(100);
        timeline.phase("started");
        advance(2_500);
        timeline.phaseIfNoticeable("waited for a boot slot");
        timeline.phase("started");

        // The 10 ms "wait" is left out but still counted: the phase after it starts where it ended.
        assertThat(timeline.readyLine()).isEqualTo("guest g ready in 2.6 s: defined 0.0 s, started 0.1 s, "
                + "waited for a boot slot 2.5 s, started 0.0 s");
    }

    @Test
    void nothingToSayYetIsJustTheTotal() {
        BootTimeline timeline = new BootTimeline("g", now::get);
        advance(1_250);

        assertThat(timeline.readyLine()).isEqualTo("guest g ready in 1.3 s");
    }

    @Test
    void secondsAreWrittenWithAPointInEveryLocale() {
        Locale before = Locale.getDefault();
        try {
            Locale.setDefault(Locale.GERMANY);
            assertThat(BootTimeline.seconds(Duration.ofMillis(3_140).toNanos())).isEqualTo("3.1 s");
        } finally {
            Locale.setDefault(before);
        }
    }

    /** A guest awaited by its domain state on the fake hypervisor: its line has provisioning, start and readiness. */
    @Test
    void aGuestsFirstBootLineNamesProvisioningStartAndReadiness(@TempDir Path state, @TempDir Path images) {
        LabSession lab = FakeLab.start(state, new FakeHypervisor());
        try {
            LabGuest guest = lab.create(GuestSpec.builder().image(FakeLab.blankImage(images, "blank.qcow2"))
                    .awaitSsh(false).build(), "quiet");
            // The first boot's timeline, taken before awaiting: on the fake the boot may be over already, and an
            // awaitReady() after it checks readiness again on a timeline of its own.
            BootTimeline firstBoot = guest.timeline();
            guest.awaitReady();

            assertThat(firstBoot.readyLine()).matches("guest " + guest.name()
                    + " ready in \\d+\\.\\d s: defined \\d+\\.\\d s, started \\d+\\.\\d s, domain running \\d+\\.\\d s");
        } finally {
            lab.close();
        }
    }
}
