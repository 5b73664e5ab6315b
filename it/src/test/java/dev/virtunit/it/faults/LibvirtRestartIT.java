package dev.virtunit.it.faults;

import dev.virtunit.Guest;
import dev.virtunit.GuestSpec;
import dev.virtunit.Lab;
import dev.virtunit.LabConfig;
import dev.virtunit.internal.host.Command;
import dev.virtunit.internal.host.CommandResult;
import dev.virtunit.observe.GuestState;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static dev.virtunit.assertions.VirtunitAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * libvirtd restarted while a lab runs: the guest keeps running (QEMU is not libvirtd's child once started), the
 * lab's next libvirt call opens a new connection and works, and teardown after a second restart still removes
 * everything. Restarts libvirtd the way scripts/setup-host starts it (systemctl under systemd, else by hand), so
 * it must run alone: other tests' libvirt calls at that moment would fail.
 */
class LibvirtRestartIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Path PID_FILE = Path.of("/run/libvirtd.pid");

    @Test
    void aGuestAndItsLabSurviveLibvirtdRestartsAndTeardownStillRemovesEverything() {
        Lab lab = Lab.start(LabConfig.fromEnvironment());
        String run = lab.runId();
        try {
            Guest guest = lab.guest(GuestSpec.builder().image(Path.of(System.getProperty("virtunit.testImage")))
                    .memoryMiB(256).build());

            restartLibvirtd();

            // The connection libvirtd dropped is replaced on the next call, which then works.
            assertThat(guest.state()).isEqualTo(GuestState.RUNNING);
            assertThat(guest.ssh().exec("true")).succeeded();
            assertThat(guest.info().state()).isEqualTo(GuestState.RUNNING);

            restartLibvirtd();
        } finally {
            // Teardown's first call meets the dropped connection: it must reconnect and remove everything.
            lab.close();
        }
        assertThat(ours(run, "list", "--all", "--name")).as("domains of run " + run).isEmpty();
        assertThat(ours(run, "pool-list", "--all", "--name")).as("pools of run " + run).isEmpty();
        assertThat(ours(run, "net-list", "--all", "--name")).as("networks of run " + run).isEmpty();
    }

    /** The lines of {@code virsh args} naming an object of {@code run}. */
    private static List<String> ours(String run, String... args) {
        List<String> argv = new ArrayList<>(List.of("virsh", "-c", "qemu:///system"));
        argv.addAll(List.of(args));
        return Command.check(TIMEOUT, argv).stdout().lines().map(String::strip)
                .filter(line -> line.startsWith("vu-" + run + "-")).toList();
    }

    /** Restarts libvirtd as scripts/setup-host starts it, and waits until it answers again. */
    private static void restartLibvirtd() {
        if (Files.isDirectory(Path.of("/run/systemd/system"))) {
            Command.check(TIMEOUT, "systemctl", "restart", "libvirtd.service");
        } else {
            long pid = libvirtdPid().orElseThrow(() -> new IllegalStateException("libvirtd is not running (no live "
                    + "pid in " + PID_FILE + "); run scripts/setup-host first"));
            ProcessHandle daemon = ProcessHandle.of(pid).orElseThrow();
            Command.check(TIMEOUT, "kill", "-TERM", Long.toString(pid));
            await("libvirtd (pid " + pid + ") exiting").atMost(TIMEOUT).until(() -> !daemon.isAlive());
            if (Files.isExecutable(Path.of("/usr/bin/tini"))) {
                // Under tini -s, as setup-host starts it: QEMU processes are reaped at once, or every later guest's
                // destroy waits about a second for this machine kind's PID 1 to reap it.
                startDetached("sh", "-c", "exec setsid -f tini -s -- libvirtd >>/var/log/libvirt/libvirtd.out 2>&1");
            } else {
                startDetached("libvirtd", "-d");
            }
        }
        await("libvirtd answering again").atMost(TIMEOUT).pollInterval(Duration.ofMillis(250))
                .until(() -> virshVersion().succeeded());
    }

    private static CommandResult virshVersion() {
        return Command.run(Duration.ofSeconds(10), "virsh", "-c", "qemu:///system", "version");
    }

    private static Optional<Long> libvirtdPid() {
        try {
            long pid = Long.parseLong(Files.readString(PID_FILE).strip());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).map(ProcessHandle::pid);
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * Starts a daemon that forks into the background, with no pipe to this JVM (Command reads its outputs to the
     * end, which a daemon holding them would never give), and waits for the foreground part to exit.
     */
    private static void startDetached(String... argv) {
        try {
            Process process = new ProcessBuilder(argv).directory(new File("/"))
                    .redirectInput(new File("/dev/null")).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            await(String.join(" ", argv) + " forking into the background").atMost(TIMEOUT)
                    .until(() -> !process.isAlive());
            assertThat(process.exitValue()).as(String.join(" ", argv) + " exit code").isZero();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + String.join(" ", argv), e);
        }
    }
}
