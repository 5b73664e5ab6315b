package dev.virtunit.internal.ssh;

import dev.virtunit.Ssh;
import dev.virtunit.VirtunitException;
import dev.virtunit.internal.text.ShellQuoting;
import dev.virtunit.observe.ExecResult;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Objects;

/**
 * {@link Ssh} over sshj: the only class that talks to a guest's SSH server. It composes the parts, each of
 * which does one job: {@link SshConnection} keeps one logged-in connection and logs in again after it died,
 * {@link SshLogin} makes each login, {@link HostKeyPolicy} says which host key to accept (the one virtunit injected,
 * a pinned one, or the first one seen),
 * {@link SshCommandRunner} runs commands and {@link SftpTransfer} copies files.
 *
 * <p><b>Connections.</b> One authenticated connection is kept and shared by all calls; commands on it run
 * concurrently, each in its own channel. When the connection has died (the guest rebooted, sshd restarted), the
 * next call notices when it cannot open its channel, throws the dead client away and logs in again, once; a
 * command that was already running when the connection died is never re-run but fails with a message saying the
 * connection was lost. Each call makes at most one connection attempt: waiting for a guest to come (back) up is
 * the caller's business, e.g. Awaitility around {@link #connect()}.
 *
 * <p><b>Trust.</b> The server must present the host key the {@link SshTarget}'s {@link HostKeyPolicy} accepts
 * (virtunit injected it, the test pinned it, or it was the first one seen), and the login offers the target's
 * {@link SshCredentials}; nothing is read from or written to {@code ~/.ssh}. A wrong host key and a refused
 * login fail with different messages.
 *
 * <p><b>Timeouts.</b> sshj waits forever by default; here the TCP connect and the server's greeting are bounded
 * by {@link SshTarget#connectTimeout()}, the protocol steps (key exchange, login, opening and closing channels)
 * by at least 30 s, a command by the timeout it is given, and each SFTP request by
 * {@link SshTarget#commandTimeout()}.
 *
 * <p><b>Commands killed by a signal.</b> SSH reports either an exit status or the signal that ended the command.
 * For a signal, {@link #exec} returns exit code {@value #NO_EXIT_STATUS} and appends a line
 * {@code virtunit: `CMD` was killed by signal SIGKILL} to stderr, so a failed assertion shows why; a non-zero
 * exit is a result, not an exception, and so is this.
 *
 * @since 0.1
 */
public final class SshjSsh implements Ssh, AutoCloseable {

    /** The exit code {@link #exec} reports when the command ended without an exit status (killed by a signal). */
    public static final int NO_EXIT_STATUS = -1;

    private final SshTarget target;
    private final SshConnection connection;
    private final SshCommandRunner commands;
    private final SftpTransfer files;

    public SshjSsh(SshTarget target) {
        this.target = Objects.requireNonNull(target, "target");
        this.connection = new SshConnection(target);
        this.commands = new SshCommandRunner(target, connection);
        this.files = new SftpTransfer(target, connection);
    }

    public SshTarget target() {
        return target;
    }

    /**
     * Logs in now unless already logged in; throws {@link VirtunitException} saying why if that fails. The other
     * methods connect by themselves; this one is for waiting until a guest's SSH server answers.
     */
    public void connect() {
        connection.connect();
    }

    @Override
    public ExecResult exec(String command) {
        return exec(command, target.commandTimeout());
    }

    @Override
    public ExecResult exec(String command, Duration timeout) {
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(timeout, "timeout");
        return commands.run(command, timeout);
    }

    @Override
    public void upload(Path local, String remotePath) {
        Objects.requireNonNull(local, "local");
        Objects.requireNonNull(remotePath, "remotePath");
        files.upload(local, remotePath);
    }

    @Override
    public void download(String remotePath, Path local) {
        Objects.requireNonNull(remotePath, "remotePath");
        Objects.requireNonNull(local, "local");
        files.download(remotePath, local);
    }

    @Override
    public String user() {
        return target.user();
    }

    @Override
    public String host() {
        return target.host();
    }

    @Override
    public int port() {
        return target.port();
    }

    @Override
    public Optional<String> hostKeyFingerprint() {
        return target.hostKey().fingerprint();
    }

    /**
     * {@code ssh -i KEYFILE [-J JUMPUSER@JUMPHOST:PORT] [-p PORT] USER@HOST} when the client key was written to a file
     * ({@code -J} for a guest reached through its host's SSH connection). The host key is not
     * in the human's known_hosts, so ssh asks to confirm it; it shows the fingerprint this class verifies
     * ({@link SshTarget#hostKey()}). Host key checking is deliberately not switched off.
     *
     * <p>Without a key file the key exists in memory only, and the line says so instead of pretending to work.
     */
    @Override
    public String commandLine() {
        String options = target.route().jump().map(jump -> "-J " + ShellQuoting.quote(jump.address()) + " ").orElse("")
                + (target.port() == SshTarget.DEFAULT_PORT ? "" : "-p " + target.port() + " ");
        String destination = ShellQuoting.quote(target.user() + "@" + target.host());
        if (target.privateKeyFileIfWritten().isPresent()) {
            return "ssh -i " + ShellQuoting.quote(target.privateKeyFile().toString()) + " " + options + destination;
        }
        if (target.credentials().clientKey().isEmpty()) {
            // An image's own password: ssh asks for it, as it would for any machine.
            return "ssh " + options + destination;
        }
        return "ssh " + options + destination + " (not usable as is: virtunit's client key "
                + target.credentials().clientKey().get().sha256Fingerprint() + " lives in memory only; "
                + "give the SshTarget a privateKeyFile to get a command line with -i)";
    }

    /** Drops the live connection, as before a reboot; the next call logs in again. */
    public void disconnect() {
        connection.disconnect();
    }

    /** Disconnects; afterwards every call fails. Commands running on other threads fail as connection lost. */
    @Override
    public void close() {
        connection.close();
    }

    @Override
    public String toString() {
        return "SshjSsh[" + target.address() + "]";
    }
}
