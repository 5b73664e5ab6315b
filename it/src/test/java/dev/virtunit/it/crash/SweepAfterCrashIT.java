package dev.virtunit.it.crash;

import dev.virtunit.Lab;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
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

    private static final Duration MARKER_TIMEOUT = CrashingLab.BOOT_TIMEOUT.plusSeconds(30);

    private final List<Child> children = new ArrayList<>();

    @AfterEach
    void killWhatIsLeft() {
        children.forEach(child -> child.process.destroyForcibly());
    }

    @Test
    void sigkillWhileNetworksAreMadeLeavesNothingOnceTheNextLabStarts() {
        Child child = Child.start(children);
        child.await("upstream-made");

        child.kill();

        assertThat(RunTraces.of(child.run)).as("what the killed run left").isNotEmpty();
        sweepByStartingALab();
        assertThat(RunTraces.of(child.run)).isEmpty();
    }

    @Test
    void sigkillWhileAGuestBootsLeavesNothingOnceTheNextLabStarts() {
        Child child = Child.start(children);
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
        Child child = Child.start(children);
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
        Child child = Child.start(children);
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
        Child child = Child.start(children);
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

    /** A forked JVM running {@link CrashingLab}, its stdout read line by line. */
    private static final class Child {
        private final Process process;
        private final Path log;
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        private final List<String> seen = new ArrayList<>();
        private String run;

        private Child(Process process, Path log) {
            this.process = process;
            this.log = log;
        }

        static Child start(List<Child> children) {
            try {
                Path log = Files.createTempFile("virtunit-crashing-lab-", ".log");
                List<String> argv = new ArrayList<>(List.of(
                        ProcessHandle.current().info().command().orElse("java"),
                        "-cp", System.getProperty("java.class.path")));
                for (String property : List.of("virtunit.testImage", "virtunit.acceleration", "virtunit.unavailable")) {
                    if (System.getProperty(property) != null) {
                        argv.add("-D" + property + "=" + System.getProperty(property));
                    }
                }
                argv.add(CrashingLab.class.getName());
                Process process = new ProcessBuilder(argv).redirectError(log.toFile()).start();
                Child child = new Child(process, log);
                children.add(child);
                Thread reader = new Thread(() -> {
                    try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                            StandardCharsets.UTF_8))) {
                        for (String line; (line = out.readLine()) != null; ) {
                            child.lines.add(line);
                        }
                    } catch (IOException ended) {
                        // the JVM was killed
                    }
                }, "crashing-lab-stdout");
                reader.setDaemon(true);
                reader.start();
                child.run = child.await("run ").substring(4);
                return child;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Waits for a line starting with {@code marker} and returns it; fails with what the JVM said otherwise. */
        String await(String marker) {
            Instant deadline = Instant.now().plus(MARKER_TIMEOUT);
            try {
                while (Instant.now().isBefore(deadline)) {
                    String line = lines.poll(Math.max(1, Duration.between(Instant.now(), deadline).toMillis()),
                            TimeUnit.MILLISECONDS);
                    if (line == null) {
                        break;
                    }
                    seen.add(line);
                    if (line.startsWith(marker)) {
                        return line;
                    }
                    if (line.startsWith("not-answering") || line.startsWith("failed")) {
                        break;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new AssertionError("the forked lab did not print '" + marker + "' (alive: " + process.isAlive()
                    + "); it printed " + seen + "; its log " + log + " ends: " + tail());
        }

        void tell(String order) {
            try {
                Writer in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
                in.write(order + "\n");
                in.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** SIGKILL ({@link Process#destroyForcibly()} on Linux), and wait for the JVM to be gone. */
        void kill() {
            process.destroyForcibly();
            try {
                assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("JVM gone after SIGKILL").isTrue();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            assertThat(process.exitValue()).as("exit status of a SIGKILLed JVM").isEqualTo(128 + 9);
        }

        private String tail() {
            try {
                List<String> all = Files.readAllLines(log);
                return String.join("\n", all.subList(Math.max(0, all.size() - 30), all.size()));
            } catch (IOException e) {
                return "(unreadable: " + e.getMessage() + ")";
            }
        }
    }
}
