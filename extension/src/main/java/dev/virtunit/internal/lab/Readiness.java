package dev.virtunit.internal.lab;

import dev.virtunit.GuestNotReadyException;
import dev.virtunit.Seed;
import dev.virtunit.observe.GuestState;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

import static org.awaitility.Awaitility.await;

/**
 * Waits for a guest in phases: the domain runs, its console shows the {@code readyWhen} line (if given), it has an
 * address, its SSH port accepts connections, a login runs {@code true}, and with a NoCloud seed cloud-init is done
 * ({@link CloudInitDone}; these four unless {@code awaitSsh = false}). One deadline covers all phases. A guest that stops or crashes fails at once rather than at the
 * deadline; either way the error says which phases were reached and how long each took, the guest's state, and
 * the end of its serial console. A guest that gets ready is logged in one INFO line with its {@link BootTimeline}.
 */
final class Readiness {

    private static final int CONSOLE_LINES = 30;
    private static final Duration PAUSED_GRACE = Duration.ofSeconds(3);
    /** A kernel panic's stack trace can push the line that says why out of the tail; these are kept apart. */
    private static final int ERROR_LINES = 8;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Readiness.class);
    /** Most phases: a libvirt call or an SSH command per poll. */
    private static final Duration POLL = Duration.ofMillis(200);

    private final LabGuest guest;
    private final Duration timeout;
    /** The boot's phases so far (provisioning, start), to which readiness adds its own; for the one "ready" line. */
    private final BootTimeline timeline;
    private final List<String> reached = new ArrayList<>();
    /** Made on first use, and read on from where it stopped: the console is watched, not re-read, every poll. */
    private BootFailureWatch bootFailureWatch;
    private volatile Optional<BootFailure> bootFailure = Optional.empty();
    /** When the guest was first seen paused (System.nanoTime), or -1 while it runs. */
    private long pausedSince = -1;

    Readiness(LabGuest guest, Duration timeout, BootTimeline timeline) {
        this.guest = guest;
        this.timeout = timeout;
        this.timeline = timeline;
    }

    void awaitAllPhases() {
        long started = System.nanoTime();
        phase(started, "domain running", POLL, () -> guest.state().isActive());
        awaitConsoleLine(started);
        if (!guest.spec().awaitSsh()) {
            return;
        }
        phase(started, "address known", POLL, guest::hasSshAddress);
        // As the guests' host sees it: from here, or through a remote host's SSH connection (GuestRoute).
        GuestRoute route = guest.lab().site().guestRoute();
        phase(started, "SSH port open", route.portPoll(),
                () -> GuestLogin.finalFailureNamed(guest.name(), () -> route.probe().open(guest.sshAddress(), 22)));
        phase(started, "SSH login", POLL, guest::answersSsh);
        awaitCloudInit(started);
        LOG.info(timeline.readyLine());
    }

    private void phase(long runStarted, String phase, Duration pollInterval, Callable<Boolean> condition) {
        long phaseStarted = System.nanoTime();
        Duration left = timeout.minusNanos(phaseStarted - runStarted);
        try {
            await(phase + " of guest " + guest.name())
                    .atMost(left.isNegative() ? Duration.ofMillis(1) : left)
                    .pollDelay(Duration.ZERO)
                    .pollInterval(pollInterval)
                    .ignoreExceptionsMatching(GuestLogin::worthRetrying)
                    .failFast("guest " + guest.name() + " stopped or did not boot",
                            () -> bootFailedOnConsole() || guest.state().isDead() || pausedByQemu())
                    .until(condition);
            reached.add(phase + " after " + seconds(System.nanoTime() - phaseStarted));
            timeline.phase(phase);
        } catch (ConditionTimeoutException | TerminalFailureException e) {
            // A guest whose kernel panics may power off (pvpanic) before its last console lines were read: what the
            // console says is the better explanation than "stopped".
            if (bootFailure.isEmpty()) {
                bootFailedOnConsole();
            }
            if (bootFailure.isPresent()) {
                throw didNotBoot(bootFailure.get(), phase, phaseStarted, e);
            }
            boolean dead = e instanceof TerminalFailureException;
            if (dead && pausedSince >= 0) {
                throw pausedByQemu(phase, phaseStarted, e);
            }
            throw new GuestNotReadyException("guest " + guest.name() + (dead ? " stopped before it was ready" :
                    " was not ready within " + timeout.toSeconds() + " s") + ": waiting for '" + phase + "' ("
                    + seconds(System.nanoTime() - phaseStarted) + "); reached: "
                    + reachedSoFar() + "; state " + safeState()
                    + "." + consoleErrors(ERROR_LINES) + " Last lines of its serial console ("
                    + guest.consoleLogPath() + "):\n" + consoleTail(CONSOLE_LINES), e);
        }
    }

    /** A guest with a NoCloud seed: cloud-init done (where the image has one), its failure a failed readiness. */
    private void awaitCloudInit(long runStarted) {
        if (guest.spec().seed() != Seed.NOCLOUD) {
            return;
        }
        String phase = "cloud-init done";
        CloudInitDone.Outcome[] outcome = new CloudInitDone.Outcome[1];
        phase(runStarted, phase, POLL, () -> {
            Duration left = timeout.minusNanos(System.nanoTime() - runStarted);
            outcome[0] = CloudInitDone.await(guest.ssh()::exec, left.isNegative() ? Duration.ofSeconds(1) : left);
            return true;
        });
        if (outcome[0].status() == CloudInitDone.Status.NO_CLOUD_INIT) {
            reached.set(reached.size() - 1, reached.get(reached.size() - 1).replace(phase, phase
                    + " (the image has no cloud-init)"));
            timeline.noteOnLastPhase("the image has no cloud-init");
        } else if (outcome[0].status() == CloudInitDone.Status.FAILED) {
            throw new GuestNotReadyException("guest " + guest.name() + " is not ready: " + outcome[0].report()
                    + "\nreached: " + String.join(", ", reached) + "; its serial console is " + guest.consoleLogPath(), null);
        }
    }

    /**
     * With {@code readyWhen}: the console shows that line after this (re)start, which is all a guest without SSH
     * ({@code awaitSsh = false}) is awaited for; with SSH too, the SSH phases follow.
     */
    private void awaitConsoleLine(long runStarted) {
        if (guest.spec().readyWhen().isEmpty()) {
            return;
        }
        ConsoleLine line = new ConsoleLine(guest.spec().readyWhen().get());
        phase(runStarted, "console shows '" + line + "'", POLL, () -> line.foundIn(guest.consoleSinceStart()));
        if (!guest.spec().awaitSsh()) {
            LOG.info(timeline.readyLine());
        }
    }

    /**
     * Whether the console says the guest will not boot (the firmware found nothing bootable, a boot loader gave up):
     * such a guest keeps running but will never answer, so it fails now, not at the boot timeout.
     */
    private boolean bootFailedOnConsole() {
        if (bootFailureWatch == null) {
            bootFailureWatch = new BootFailureWatch(guest.followConsoleSinceStart());
        }
        try {
            bootFailure = bootFailureWatch.check();
        } catch (IOException e) {
            // An unreadable console only loses this shortcut; the deadline and the domain's state still decide.
            LOG.debug("console log of guest {} unreadable: {}", guest.name(), e.toString());
        }
        return bootFailure.isPresent();
    }

    /**
     * Nothing pauses a booting guest but QEMU itself (a KVM internal error, an emulation failure, a disk I/O error):
     * paused for {@link #PAUSED_GRACE}, it will not go on, so it fails now rather than at the deadline. The grace
     * covers the moment libvirt starts a domain paused and resumes it.
     */
    private boolean pausedByQemu() {
        if (guest.state() != GuestState.PAUSED) {
            pausedSince = -1;
            return false;
        }
        if (pausedSince < 0) {
            pausedSince = System.nanoTime();
        }
        return System.nanoTime() - pausedSince >= PAUSED_GRACE.toNanos();
    }

    private GuestNotReadyException pausedByQemu(String phase, long phaseStarted, Exception cause) {
        QemuLog qemuLog = QemuLog.of(guest.lab().config().libvirtUri(), guest.name());
        String reasons = qemuLog.stopReasons();
        return new GuestNotReadyException("guest " + guest.name() + " was paused by QEMU before it was ready, while "
                + "waiting for '" + phase + "' (" + seconds(System.nanoTime() - phaseStarted) + "); reached: "
                + reachedSoFar() + ". "
                + (reasons.isEmpty() ? "QEMU's log " + qemuLog.file() + " says nothing about why."
                        : "QEMU's log " + qemuLog.file() + " says:\n" + reasons)
                + "\nLast lines of its serial console (" + guest.consoleLogPath() + "):\n" + consoleTail(CONSOLE_LINES),
                cause);
    }

    private GuestNotReadyException didNotBoot(BootFailure failure, String phase, long phaseStarted, Exception cause) {
        return new GuestNotReadyException("guest " + guest.name() + " did not boot "
                + failure.explain(guest.spec().bootSource()) + " (noticed " + seconds(System.nanoTime() - phaseStarted)
                + " into '" + phase + "'; reached: " + reachedSoFar()
                + "; state " + safeState() + ".) Last lines of its serial console (" + guest.consoleLogPath() + "):\n"
                + consoleTail(CONSOLE_LINES), cause);
    }

    private String reachedSoFar() {
        return reached.isEmpty() ? "nothing" : String.join(", ", reached);
    }

    private String safeState() {
        try {
            return guest.state().toString();
        } catch (RuntimeException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    private static String seconds(long nanos) {
        return BootTimeline.seconds(nanos);
    }

    /** The last {@code lines} lines of the console, control characters made visible; for failure messages. */
    private String consoleTail(int lines) {
        List<String> all = consoleLines();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    /** The console's last lines that report an error or a panic, as a sentence for failure messages; empty if none. */
    private String consoleErrors(int lines) {
        List<String> errors = consoleLines().stream()
                .filter(line -> line.matches("(?i).*(error|panic|oops|fail|not found|unable to).*")).toList();
        if (errors.isEmpty()) {
            return "";
        }
        return " Errors on its console:\n" + String.join("\n", errors.subList(Math.max(0, errors.size() - lines), errors.size()))
                + "\n";
    }

    /** The console's lines, terminal escapes removed and other control characters made visible, for failure messages. */
    private List<String> consoleLines() {
        return guest.consoleLog().replace("\r", "").lines().map(ConsoleLog::clean).toList();
    }
}
