package dev.virtunit.internal.ssh;

import dev.virtunit.VirtunitException;
import dev.virtunit.internal.host.ProcessOutput;
import dev.virtunit.observe.ExecResult;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.connection.channel.direct.Session;
import net.schmizz.sshj.connection.channel.direct.Signal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static dev.virtunit.internal.ssh.SshMessages.describe;
import static dev.virtunit.internal.ssh.SshMessages.human;
import static dev.virtunit.internal.ssh.SshMessages.outputSoFar;

/**
 * Runs one command in a session channel of the shared connection, with a deadline, reading stdout and stderr
 * together (one after the other would deadlock once both fill their SSH windows). A non-zero exit is a result; so
 * is a command killed by a signal (see {@link SshjSsh#NO_EXIT_STATUS}). A timeout, a lost connection and a refused
 * command are exceptions that show what the command had printed so far.
 *
 * <p>A command that outlives its timeout is killed in the guest, with everything it started: closing the channel
 * does not stop it (without a terminal no SIGHUP comes), and the SSH "signal" request reaches only the login
 * shell on dropbear (OpenSSH signals its process group). So every command runs with a mark in its environment,
 * {@code VIRTUNIT_EXEC=<random id>}, which its children inherit, and after a timeout a second command kills every
 * process that carries the mark. Only a process that cleared its environment ({@code sudo}, {@code env -i})
 * escapes, and on OpenSSH the signal still reaches it if it stayed in the command's process group.
 */
final class SshCommandRunner {

    private static final Logger LOG = LoggerFactory.getLogger(SshCommandRunner.class);

    /** The environment variable that marks a command's processes, so they can be found after a timeout. */
    static final String MARK_VARIABLE = "VIRTUNIT_EXEC";

    /** How long the kill of a timed-out command may take; it reads /proc, which takes well under a second. */
    private static final Duration KILL_TIMEOUT = Duration.ofSeconds(15);
    /** How long the server has to close a channel whose command was killed, before the login shell is signalled. */
    private static final Duration AFTER_KILL = Duration.ofSeconds(5);

    private static final SecureRandom MARKS = new SecureRandom();

    private final SshTarget target;
    private final SshConnection connection;

    SshCommandRunner(SshTarget target, SshConnection connection) {
        this.target = target;
        this.connection = connection;
    }

    ExecResult run(String command, Duration timeout) {
        return run(command, null, timeout, true);
    }

    /** Runs {@code command} with {@code input} on its stdin, then end of input. */
    ExecResult run(String command, byte[] input, Duration timeout) {
        return run(command, input, timeout, true);
    }

    /** {@code killOnTimeout} is false for the kill itself, so a kill that hangs is not chased by another. */
    private ExecResult run(String command, byte[] input, Duration timeout, boolean killOnTimeout) {
        long started = System.nanoTime();
        long deadline = started + timeout.toNanos();
        SshConnection.Opened<Session> opened = connection.open(SSHClient::startSession,
                "start a session for `" + command + "`");
        Session session = opened.channel();
        Output stdout = new Output();
        Output stderr = new Output();
        LOG.debug("{} $ {}", target.address(), command);
        String mark = Long.toHexString(MARKS.nextLong());
        try {
            Session.Command running = session.exec(marked(command, mark));
            if (input == null) {
                // Like `ssh host cmd < /dev/null`: a command that reads stdin sees its end instead of waiting forever.
                running.getOutputStream().close();
            } else {
                ProcessOutput.writeAll(running.getOutputStream(), input);
            }
            CompletableFuture<Void> drained = CompletableFuture.allOf(
                    stdout.drain(running.getInputStream()), stderr.drain(running.getErrorStream()));
            try {
                drained.get(remainingNanos(deadline), TimeUnit.NANOSECONDS);
                // The server closes the channel after sending the exit status; wait for that close, then close our
                // side, and only then read the status (before it, sshj may not have received it yet).
                running.join(remainingNanos(deadline), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                throw timedOut(running, command, mark, killOnTimeout, timeout, stdout, stderr);
            } catch (IOException e) {
                if (remainingNanos(deadline) == 0 && opened.client().isConnected()) {
                    throw timedOut(running, command, mark, killOnTimeout, timeout, stdout, stderr);
                }
                throw connectionLost(opened.client(), command, started, stdout, stderr, e);
            } catch (ExecutionException e) {
                Throwable failure = e.getCause() instanceof UncheckedIOException ? e.getCause().getCause() : e.getCause();
                throw connectionLost(opened.client(), command, started, stdout, stderr, failure);
            }
            running.close();
            ExecResult result = result(command, running, stdout.text(), stderr.text(),
                    Duration.ofNanos(System.nanoTime() - started));
            LOG.debug("{} `{}` exited with {} after {}", target.address(), command, result.exitCode(), result.duration());
            return result;
        } catch (IOException e) {
            throw execFailed(opened.client(), command, started, stdout, stderr, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VirtunitException("interrupted while running `" + command + "` on " + target.address(), e);
        } finally {
            closeQuietly(session);
        }
    }

    /**
     * {@code export VIRTUNIT_EXEC=<mark>; <command>}: the login shell runs the command as before (same {@code $$},
     * same exit status), with the mark in the environment of everything it starts.
     */
    static String marked(String command, String mark) {
        return "export " + MARK_VARIABLE + "=" + mark + "; " + command;
    }

    /**
     * The shell command that kills every process whose environment carries {@code mark}: the marked processes are
     * found in /proc (busybox and coreutils alike), never by name, so nothing else is touched.
     */
    static String killMarked(String mark) {
        // One grep over every environ file: a fork per process is seconds on a busy guest under emulation.
        return "for e in $(grep -l " + MARK_VARIABLE + "=" + mark + " /proc/[0-9]*/environ 2>/dev/null); do "
                + "p=${e#/proc/}; kill -KILL \"${p%/environ}\" 2>/dev/null; done; true";
    }

    private VirtunitException timedOut(Session.Command running, String command, String mark, boolean killOnTimeout,
                                       Duration timeout, Output stdout, Output stderr) {
        // The marked processes first, while the connection is sure to be sound: dropbear 2022.83 in a guest was
        // seen to drop the whole connection soon after a signalled command ended.
        if (killOnTimeout) {
            killMarkedProcesses(command, mark);
            // With its command killed the login shell ends, and the server closes the channel. A signal sent on a
            // channel the server has closed is a protocol error to OpenSSH, which then drops the whole connection
            // and every other command on it (seen with parallel tests sharing one guest): wait for that close first.
            awaitClose(running, AFTER_KILL);
        }
        if (running.isOpen()) {
            try {
                // The login shell, which /proc shows without the mark: OpenSSH kills its process group, dropbear it alone.
                running.signal(Signal.KILL);
            } catch (IOException | RuntimeException e) {
                LOG.debug("could not send SIGKILL to `{}` on {}: {}", command, target.address(), e.toString());
            }
        }
        return new VirtunitException("`" + command + "` on " + target.address() + " did not finish within "
                + human(timeout) + "; " + outputSoFar(stdout.text(), stderr.text()) + ". (A background process "
                + "that keeps stdout or stderr open keeps the command open too: redirect its output, e.g. "
                + "`daemon > /dev/null 2>&1 &`.)");
    }

    private void awaitClose(Session.Command running, Duration timeout) {
        try {
            running.join(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (IOException | RuntimeException stillOpen) {
            LOG.debug("`{}` on {} still open {} after its processes were killed", running, target.address(), timeout);
        }
    }

    /** Best effort, and said so in the log: the timeout is what the caller must hear about, not this. */
    private void killMarkedProcesses(String command, String mark) {
        try {
            ExecResult killed = run(killMarked(mark), null, KILL_TIMEOUT, false);
            if (!killed.succeeded()) {
                LOG.warn("could not kill what `{}` left running on {} after its timeout: {}", command,
                        target.address(), killed.stderr().strip());
            }
        } catch (VirtunitException e) {
            LOG.warn("could not kill what `{}` left running on {} after its timeout: {}", command, target.address(),
                    e.getMessage());
        }
    }

    /**
     * The channel's streams and close event only fail when sshj tears the whole connection down, and it tells
     * the channels before it marks itself disconnected, so this does not ask {@link SSHClient#isConnected()}.
     */
    private VirtunitException connectionLost(SSHClient lost, String command, long started, Output stdout,
                                             Output stderr, Throwable cause) {
        connection.discard(lost);
        return new VirtunitException("lost the SSH connection to " + target.address() + " while running `" + command
                + "`, after " + human(Duration.ofNanos(System.nanoTime() - started)) + " (did the guest reboot or stop?): "
                + describe(cause) + "; " + outputSoFar(stdout.text(), stderr.text()), cause);
    }

    /** Sending the command or closing its channel failed: the server refused, or the connection is gone. */
    private VirtunitException execFailed(SSHClient used, String command, long started, Output stdout,
                                         Output stderr, IOException cause) {
        if (!used.isConnected()) {
            return connectionLost(used, command, started, stdout, stderr, cause);
        }
        return new VirtunitException("SSH could not run `" + command + "` on " + target.address() + ": "
                + describe(cause) + "; " + outputSoFar(stdout.text(), stderr.text()), cause);
    }

    /** The exit status, or for a command that ended by a signal {@link SshjSsh#NO_EXIT_STATUS} and a note why. */
    private static ExecResult result(String command, Session.Command finished, String stdout, String stderr,
                                     Duration duration) {
        Integer status = finished.getExitStatus();
        if (status != null) {
            return new ExecResult(command, status, stdout, stderr, duration);
        }
        Signal signal = finished.getExitSignal();
        String note;
        if (signal != null) {
            String name = signal == Signal.UNKNOWN ? "a signal sshj does not know" : "signal SIG" + signal.name();
            String message = finished.getExitErrorMessage();
            note = "virtunit: `" + command + "` was killed by " + name
                    + (Boolean.TRUE.equals(finished.getExitWasCoreDumped()) ? " (core dumped)" : "")
                    + (message == null || message.isBlank() ? "" : ": " + message.strip());
        } else {
            note = "virtunit: the SSH server reported neither an exit status nor a signal for `" + command + "`";
        }
        String separator = stderr.isEmpty() || stderr.endsWith("\n") ? "" : "\n";
        return new ExecResult(command, SshjSsh.NO_EXIT_STATUS, stdout, stderr + separator + note + "\n", duration);
    }

    private static long remainingNanos(long deadline) {
        return Math.max(0, deadline - System.nanoTime());
    }

    private void closeQuietly(Session session) {
        try {
            session.close();
        } catch (IOException | RuntimeException e) {
            LOG.debug("closing {} on {} failed: {}", session, target.address(), e.toString());
        }
    }

    /** Collects one output stream of a command while it runs, readable at any time (for timeout messages). */
    private static final class Output {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        /** Copies {@code stream} in on a reader thread until it ends; the future fails if reading does. */
        CompletableFuture<Void> drain(InputStream stream) {
            return ProcessOutput.supply(() -> {
                byte[] buffer = new byte[8192];
                try (stream) {
                    for (int read = stream.read(buffer); read != -1; read = stream.read(buffer)) {
                        synchronized (bytes) {
                            bytes.write(buffer, 0, read);
                        }
                    }
                    return null;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }

        String text() {
            synchronized (bytes) {
                return bytes.toString(StandardCharsets.UTF_8);
            }
        }
    }
}
