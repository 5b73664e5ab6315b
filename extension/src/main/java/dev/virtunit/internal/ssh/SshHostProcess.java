package dev.virtunit.internal.ssh;

import dev.virtunit.VirtunitException;
import dev.virtunit.internal.host.HostProcess;
import dev.virtunit.internal.host.ProcessOutput;
import dev.virtunit.internal.text.ShellQuoting;
import dev.virtunit.observe.ExecResult;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.connection.ConnectionException;
import net.schmizz.sshj.connection.channel.direct.Session;
import net.schmizz.sshj.connection.channel.direct.Signal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static dev.virtunit.internal.ssh.SshMessages.describe;

/**
 * A long-running program on a remote host, in a session channel of its own (see {@link SshHostCommands#start}).
 *
 * <p>The remote shell first checks the program exists, prints its own pid and then {@code exec}s the program, so
 * the pid read from the first line is the program's. Ending it works as for a timed-out command
 * ({@link SshCommandRunner}): the program runs with a random mark in its environment, and {@link #kill()} kills every
 * process on the host that carries it, children included, over a second channel; closing a channel alone would
 * leave it running (without a terminal no SIGHUP comes).
 */
final class SshHostProcess implements HostProcess {

    private static final Logger LOG = LoggerFactory.getLogger(SshHostProcess.class);

    /** How long the remote shell may take to say it started the program. */
    private static final Duration STARTED_TIMEOUT = Duration.ofSeconds(30);
    /** How long a kill or terminate command may take on the host. */
    private static final Duration KILL_TIMEOUT = Duration.ofSeconds(15);
    private static final SecureRandom MARKS = new SecureRandom();

    /** The program does not exist on the host. */
    static final class NotFound extends VirtunitException {
        private static final long serialVersionUID = 1L;

        NotFound(String why) {
            super(why);
        }
    }

    private final SshTarget target;
    private final SshCommandRunner runner;
    private final List<String> argv;
    private final String line;
    private final String mark;
    private final Session session;
    private final Session.Command command;
    private final long pid;

    private SshHostProcess(SshTarget target, SshCommandRunner runner, List<String> argv, String line, String mark,
                           Session session, Session.Command command, long pid) {
        this.target = target;
        this.runner = runner;
        this.argv = argv;
        this.line = line;
        this.mark = mark;
        this.session = session;
        this.command = command;
        this.pid = pid;
    }

    static SshHostProcess start(SshTarget target, SshConnection connection, SshCommandRunner runner,
                                List<String> argv, String line) {
        String program = ShellQuoting.quote(argv.get(0));
        String mark = Long.toHexString(MARKS.nextLong());
        SshConnection.Opened<Session> opened = connection.open(SSHClient::startSession, "start `" + line + "`");
        Session session = opened.channel();
        try {
            Session.Command command = session.exec(SshCommandRunner.marked(
                    "command -v " + program + " >/dev/null 2>&1 || exit 127; echo $$; exec " + line, mark));
            String first = firstLine(command.getInputStream());
            if (first.isEmpty()) {
                String stderr = new String(command.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
                command.join(STARTED_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                if (Integer.valueOf(127).equals(command.getExitStatus())) {
                    throw new NotFound("command -v " + program + " found nothing");
                }
                throw new VirtunitException("`" + line + "` on " + target.address() + " ended before it started: "
                        + stderr.strip());
            }
            long pid = Long.parseLong(first.strip());
            LOG.debug("{} started `{}` as pid {}", target.address(), line, pid);
            return new SshHostProcess(target, runner, List.copyOf(argv), line, mark, session, command, pid);
        } catch (IOException | NumberFormatException e) {
            closeQuietly(session, target);
            throw new VirtunitException("cannot start `" + line + "` on " + target.address() + ": " + describe(e), e);
        } catch (RuntimeException e) {
            closeQuietly(session, target);
            throw e;
        }
    }

    /**
     * The shell's first line (its pid), read byte by byte so that nothing of the program's own output is taken; empty
     * when the stream ended first.
     */
    private static String firstLine(InputStream stdout) throws IOException {
        try {
            return ProcessOutput.supply(() -> {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                try {
                    for (int b = stdout.read(); b != -1 && b != '\n'; b = stdout.read()) {
                        bytes.write(b);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                return bytes.toString(StandardCharsets.UTF_8);
            }).get(STARTED_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IOException("the remote shell printed no pid within " + STARTED_TIMEOUT.toSeconds() + " s", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof UncheckedIOException unchecked ? unchecked.getCause()
                    : new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting", e);
        }
    }

    @Override
    public List<String> argv() {
        return argv;
    }

    @Override
    public long pid() {
        return pid;
    }

    @Override
    public InputStream stdout() {
        return command.getInputStream();
    }

    @Override
    public InputStream stderr() {
        return command.getErrorStream();
    }

    @Override
    public OutputStream stdin() {
        return command.getOutputStream();
    }

    @Override
    public void closeInput() {
        try {
            command.getOutputStream().close();
        } catch (IOException e) {
            // a channel that cannot take the end of input is closed already: the program has its end of input
        }
    }

    @Override
    public boolean isAlive() {
        return command.isOpen();
    }

    /** Its exit code; one killed by a signal gets 128 + the signal's number, as a local process does. */
    @Override
    public OptionalInt exitCode() {
        if (command.isOpen()) {
            return OptionalInt.empty();
        }
        Integer status = command.getExitStatus();
        if (status != null) {
            return OptionalInt.of(status);
        }
        Signal signal = command.getExitSignal();
        int number = signal == null ? -1 : switch (signal) {
            case HUP -> 1;
            case INT -> 2;
            case KILL -> 9;
            case TERM -> 15;
            default -> -1;
        };
        return OptionalInt.of(number < 0 ? SshjSsh.NO_EXIT_STATUS : 128 + number);
    }

    @Override
    public boolean waitFor(Duration timeout) throws InterruptedException {
        try {
            command.join(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
        } catch (ConnectionException e) {
            if (Thread.interrupted()) {
                throw new InterruptedException("interrupted while waiting for `" + line + "` on " + target.address());
            }
        }
        return !command.isOpen();
    }

    /** SIGTERM to the program (the pid the shell exec'd into), not to what it started. */
    @Override
    public void terminate() {
        if (isAlive()) {
            onHost("kill -TERM " + pid + " 2>/dev/null; true", "terminate");
        }
    }

    /** SIGKILL to the program and everything it started (all carry its mark), then its channel closes. */
    @Override
    public void kill() {
        if (isAlive()) {
            onHost(SshCommandRunner.killMarked(mark), "kill");
        }
        closeQuietly(session, target);
    }

    /** Best effort, as {@link Process#destroy()} is: a host that cannot be reached is logged, not thrown. */
    private void onHost(String shellCommand, String what) {
        try {
            ExecResult result = runner.run(shellCommand, KILL_TIMEOUT);
            if (!result.succeeded()) {
                LOG.warn("could not {} `{}` (pid {}) on {}: {}", what, line, pid, target.address(),
                        result.stderr().strip());
            }
        } catch (VirtunitException e) {
            LOG.warn("could not {} `{}` (pid {}) on {}: {}", what, line, pid, target.address(), e.getMessage());
        }
    }

    private static void closeQuietly(Session session, SshTarget target) {
        try {
            session.close();
        } catch (IOException | RuntimeException e) {
            LOG.debug("closing a session on {} failed: {}", target.address(), e.toString());
        }
    }

    @Override
    public String toString() {
        return "`" + line + "` (pid " + pid + ") on " + target.address();
    }
}
