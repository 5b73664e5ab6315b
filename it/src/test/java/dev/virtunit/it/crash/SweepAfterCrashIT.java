package dev.virtunit.it.crash;

import dev.virtunit.Lab;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A test JVM killed at any point leaves nothing once the next lab has started; one ended with SIGTERM cleans up
 * itself; and a live JVM's objects survive another's sweep. Each test forks a JVM running {@link CrashingLab} (an
 * upstream, an Open vSwitch bridge with NAT toward it, a Linux bridge, a guest on each) on this JVM's class path,
 * kills it at a marker it printed, and looks for the run's objects with the real tools ({@link RunTraces}).
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class SweepAfterCrashIT {

    private final List<ForkedLab> children = new ArrayList<>();

    @AfterEach
    void killWhatIsLeft() {
        children.forEach(child -> child.process.destroyForcibly());
    }

    @Test
    void sigkillWhileNetworksAreMadeLeavesNothingOnceTheNextLabStarts() {
        ForkedLab child = ForkedLab.start(children);
        child.await("upstream-made");

        child.kill();

        assertThat(RunTraces.of(child.run)).as("what the killed run left").isNotEmpty();
        sweepByStartingALab();
        assertThat(RunTraces.of(child.run)).isEmpty();
    }

    @Test
    void sigkillWhileAGuestBootsLeavesNothingOnceTheNextLabStarts() {
        ForkedLab child = ForkedLab.start(children);
        child.await("guest-booting");
        // Killed once libvirt has the domain: it keeps booting without its JVM.
        await("a domain of run " + child.run).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> RunTraces.of(child.run).stream().anyMatch(trace -> trace.startsWith("domain ")));

        child.kill();

        // Either guest may be defined first (they boot side by side); one is enough to prove the point.
        assertThat(RunTraces.of(child.run)).anyMatch(trace -> trace.startsWith("domain vu-" + child.run + "-on"));
        sweepByStartingALab();
        assertThat(RunTraces.of(child.run)).isEmpty();
    }

    @Test
    void sigkillDuringTheTestLeavesNothingNotEvenTheUpstreamsProcesses() {
        ForkedLab child = ForkedLab.start(children);
        child.await("ready");
        List<Long> echo = RunTraces.upstreamPids(child.run);
        assertThat(echo).as("processes in the upstream namespace").isNotEmpty();

        child.kill();

        assertThat(RunTraces.of(child.run)).contains("ovs bridge vu" + child.run + "b0", "link vu" + child.run + "b1",
                "netns vu" + child.run + "u0", "nft table ip vu_" + child.run + "_b0",
                "file " + RunTraces.STATE_DIR.resolve("runs").resolve(child.run + ".run"));
        sweepByStartingALab();
        assertThat(RunTraces.of(child.run)).isEmpty();
        // Killed by the sweep, the echo server (an orphan since its JVM died) is gone once its new parent reaps it:
        // on this machine kind that is PID 1, about once a second, so wait for it rather than look at once.
        await("the upstream's processes gone").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> echo.stream().allMatch(pid -> ProcessHandle.of(pid).isEmpty()));
    }

    /**
     * {@link Process#destroy()} sends SIGTERM and closes the JVM's pipes, so its main thread sees end of input and
     * closes the lab while the shutdown hook closes it too: the hook must wait for that close, or the JVM halts
     * half-way through it (it did, before {@code LabSession.close} held its lock for the whole close and removed the
     * hook only once done).
     */
    @Test
    void sigtermRemovesEverythingThroughTheShutdownHookWithoutASweep() throws InterruptedException {
        ForkedLab child = ForkedLab.start(children);
        child.await("ready");

        child.process.destroy();

        assertThat(child.process.waitFor(90, TimeUnit.SECONDS)).as("JVM ended after SIGTERM").isTrue();
        List<String> printed = new ArrayList<>();
        child.lines.drainTo(printed);
        assertThat(RunTraces.of(child.run)).as("left after SIGTERM (exit status %d, printed %s); the JVM's log ends: %s",
                child.process.exitValue(), printed, child.tail()).isEmpty();
    }

    @Test
    void aLiveRunKeepsEverythingThroughAnotherJvmsSweepAndStillWorks() throws InterruptedException {
        ForkedLab child = ForkedLab.start(children);
        child.await("ready");
        List<String> before = RunTraces.of(child.run);

        sweepByStartingALab();

        assertThat(RunTraces.of(child.run)).containsExactlyInAnyOrderElementsOf(before);
        child.tell("check");
        child.await("still-answers");
        child.tell("quit");
        child.await("closed");
        assertThat(child.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(child.process.exitValue()).isZero();
        assertThat(RunTraces.of(child.run)).isEmpty();
    }

    /** Starting a lab sweeps what dead runs left; this one makes nothing itself. */
    private static void sweepByStartingALab() {
        try (Lab lab = Lab.start()) {
            assertThat(lab.runId()).isNotBlank();
        }
    }
}
