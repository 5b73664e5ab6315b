package dev.virtunit.internal.ssh;

import dev.virtunit.observe.ExecResult;
import dev.virtunit.Ssh;
import dev.virtunit.VirtunitException;
import net.schmizz.sshj.Config;
import net.schmizz.sshj.DefaultConfig;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.common.Buffer;
import net.schmizz.sshj.common.KeyType;
import net.schmizz.sshj.connection.channel.direct.Session;
import net.schmizz.sshj.connection.channel.direct.Signal;
import net.schmizz.sshj.sftp.SFTPClient;
import net.schmizz.sshj.sftp.SFTPException;
import net.schmizz.sshj.transport.verification.FingerprintVerifier;
import net.schmizz.sshj.transport.verification.HostKeyVerifier;
import net.schmizz.sshj.userauth.UserAuthException;
import net.schmizz.sshj.xfer.FileSystemFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@link Ssh} over sshj: the only class that talks to a guest's SSH server.
 *
 * <p><b>Connections.</b> One authenticated {@link SSHClient} is kept and shared by all calls; commands on it run
 * concurrently, each in its own channel. When the connection has died (the guest rebooted, sshd restarted), the
 * next call notices when it cannot open its channel, throws the dead client away and logs in again with a new
 * {@code SSHClient}, once; a command that was already running when the connection died is never re-run but
 * fails with a message saying the connection was lost. Each call makes at most one connection attempt: waiting
 * for a guest to come (back) up is the caller's business, e.g. Awaitility around {@link #connect()}.
 *
 * <p><b>Trust.</b> The server must present the host key whose fingerprint the {@link SshTarget} names (virtunit
 * injected that key), and the login uses the in-memory client key; nothing is read from or written to
 * {@code ~/.ssh}. A wrong host key and a refused login fail with different messages.
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

    private static final Logger LOG = LoggerFactory.getLogger(SshjSsh.class);

    /** Building sshj's algorithm lists is not free and they never change, so every client shares one. */
    private static final Config SSHJ_CONFIG = new DefaultConfig();

    /** Key exchange on an emulated guest CPU can take seconds; sshj's own default is 30 s. */
    private static final Duration MIN_PROTOCOL_TIMEOUT = Duration.ofSeconds(30);

    /** How much of each output stream a timeout or connection-lost message shows, from the end. */
    private static final int OUTPUT_SHOWN = 2000;

    /** Output readers block on the channel, so each gets its own thread (see {@code Command} for why not the common pool). */
    private static final ExecutorService OUTPUT_READERS = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "virtunit-ssh-output");
        thread.setDaemon(true);
        return thread;
    });

    private final SshTarget target;
    private final int protocolTimeoutMs;

    /** The logged-in client, or null before the first call and after it died; guarded by {@code this}. */
    private SSHClient client;
    private boolean closed;

    public SshjSsh(SshTarget target) {
        this.target = Objects.requireNonNull(target, "target");
        Duration protocolTimeout = target.connectTimeout().compareTo(MIN_PROTOCOL_TIMEOUT) > 0
                ? target.connectTimeout() : MIN_PROTOCOL_TIMEOUT;
        this.protocolTimeoutMs = toIntMillis(protocolTimeout);
    }

    public SshTarget target() {
        return target;
    }

    /**
     * Logs in now unless already logged in; throws {@link VirtunitException} saying why if that fails. The other
     * methods connect by themselves; this one is for waiting until a guest's SSH server answers.
     */
    public void connect() {
        currentConnection();
    }

    @Override
    public ExecResult exec(String command) {
        return exec(command, target.commandTimeout());
    }

    @Override
    public ExecResult exec(String command, Duration timeout) {
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(timeout, "timeout");
        long started = System.nanoTime();
        long deadline = started + timeout.toNanos();
        Opened<Session> opened = open(SSHClient::startSession, "start a session for `" + command + "`");
        Session session = opened.channel();
        Output stdout = new Output();
        Output stderr = new Output();
        LOG.debug("{} $ {}", target.address(), command);
        try {
            Session.Command running = session.exec(command);
            // Like `ssh host cmd < /dev/null`: a command that reads stdin sees its end instead of waiting forever.
            running.getOutputStream().close();
            CompletableFuture<Void> drained = CompletableFuture.allOf(
                    stdout.drain(running.getInputStream()), stderr.drain(running.getErrorStream()));
            try {
                drained.get(remainingNanos(deadline), TimeUnit.NANOSECONDS);
                // The server closes the channel after sending the exit status; wait for that close, then close our
                // side, and only then read the status (before it, sshj may not have received it yet).
                running.join(remainingNanos(deadline), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                throw timedOut(running, command, timeout, stdout, stderr);
            } catch (IOException e) {
                if (remainingNanos(deadline) == 0 && opened.client().isConnected()) {
                    throw timedOut(running, command, timeout, stdout, stderr);
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

    @Override
    public void upload(Path local, String remotePath) {
        Objects.requireNonNull(local, "local");
        Objects.requireNonNull(remotePath, "remotePath");
        String what = "upload " + local + " to " + target.address() + ":" + remotePath;
        if (!Files.exists(local)) {
            throw new VirtunitException("cannot " + what + ": there is no local file " + local);
        }
        transfer(what, sftp -> sftp.put(new FileSystemFile(local.toFile()), remotePath));
    }

    @Override
    public void download(String remotePath, Path local) {
        Objects.requireNonNull(remotePath, "remotePath");
        Objects.requireNonNull(local, "local");
        String what = "download " + target.address() + ":" + remotePath + " to " + local;
        Path localDirectory = local.toAbsolutePath().getParent();
        if (localDirectory != null && !Files.isDirectory(localDirectory)) {
            throw new VirtunitException("cannot " + what + ": there is no local directory " + localDirectory);
        }
        transfer(what, sftp -> sftp.get(remotePath, new FileSystemFile(local.toFile())));
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

    /**
     * {@code ssh -i KEYFILE [-p PORT] USER@HOST} when the client key was written to a file. The host key is not
     * in the human's known_hosts, so ssh asks to confirm it; it shows the fingerprint this class verifies
     * ({@link SshTarget#hostKeyFingerprint()}). Host key checking is deliberately not switched off.
     *
     * <p>Without a key file the key exists in memory only, and the line says so instead of pretending to work.
     */
    @Override
    public String commandLine() {
        String portOption = target.port() == SshTarget.DEFAULT_PORT ? "" : "-p " + target.port() + " ";
        String destination = shellQuoted(target.user() + "@" + target.host());
        return target.privateKeyFileIfWritten()
                .map(file -> "ssh -i " + shellQuoted(file.toString()) + " " + portOption + destination)
                .orElse("ssh " + portOption + destination + " (not usable as is: virtunit's client key "
                        + target.clientKey().sha256Fingerprint() + " lives in memory only; "
                        + "give the SshTarget a privateKeyFile to get a command line with -i)");
    }

    /** Disconnects; afterwards every call fails. Commands running on other threads fail as connection lost. */
    @Override
    public synchronized void close() {
        closed = true;
        if (client != null) {
            disconnectQuietly(client);
            client = null;
        }
    }

    @Override
    public String toString() {
        return "SshjSsh[" + target.address() + "]";
    }

    // ---- connections ----

    private record Connection(SSHClient client, boolean fresh) {
    }

    private record Opened<C>(SSHClient client, C channel) {
    }

    @FunctionalInterface
    private interface ChannelOpener<C> {
        C open(SSHClient client) throws IOException;
    }

    @FunctionalInterface
    private interface SftpAction {
        void run(SFTPClient sftp) throws IOException;
    }

    /** The logged-in client, logging in anew if there is none or it has died. */
    private synchronized Connection currentConnection() {
        if (closed) {
            throw new VirtunitException("SSH to " + target.address() + " was closed; it cannot be used any more");
        }
        if (client != null && client.isConnected() && client.isAuthenticated()) {
            return new Connection(client, false);
        }
        if (client != null) {
            LOG.info("SSH connection to {} was lost; logging in again", target.address());
            disconnectQuietly(client);
            client = null;
        }
        client = login();
        return new Connection(client, true);
    }

    /** Forgets {@code broken} unless another thread has already replaced it. */
    private synchronized void discard(SSHClient broken) {
        if (client == broken) {
            client = null;
        }
        disconnectQuietly(broken);
    }

    /**
     * Opens a channel on the current connection. If that fails on a connection that was used before, it has
     * probably died since (a reboot), and one fresh login is tried: nothing has run yet, so that is safe.
     */
    private <C> Opened<C> open(ChannelOpener<C> opener, String purpose) {
        Connection connection = currentConnection();
        try {
            return new Opened<>(connection.client(), opener.open(connection.client()));
        } catch (IOException first) {
            discard(connection.client());
            if (connection.fresh()) {
                throw new VirtunitException("cannot " + purpose + " on " + target.address() + ": " + describe(first), first);
            }
            LOG.info("SSH connection to {} is gone ({}); logging in again", target.address(), describe(first));
        }
        SSHClient again = currentConnection().client();
        try {
            return new Opened<>(again, opener.open(again));
        } catch (IOException e) {
            discard(again);
            throw new VirtunitException("cannot " + purpose + " on " + target.address() + ": " + describe(e), e);
        }
    }

    private SSHClient login() {
        SSHClient fresh = new SSHClient(SSHJ_CONFIG);
        fresh.setConnectTimeout(toIntMillis(target.connectTimeout()));
        // The socket read timeout bounds the wait for the server's greeting; sshj's reader thread shrugs it off
        // afterwards, so an idle connection survives it.
        fresh.setTimeout(toIntMillis(target.connectTimeout()));
        fresh.getTransport().setTimeoutMs(protocolTimeoutMs);
        fresh.getConnection().setTimeoutMs(protocolTimeoutMs);
        ExpectedHostKey hostKey = new ExpectedHostKey(target.hostKeyFingerprint());
        fresh.addHostKeyVerifier(hostKey);
        try {
            fresh.connect(target.host(), target.port());
        } catch (IOException e) {
            disconnectQuietly(fresh);
            if (hostKey.rejected()) {
                throw new VirtunitException("host key mismatch for " + hostPort() + ": expected "
                        + target.hostKeyFingerprint() + " but the server presented " + hostKey.presented()
                        + ". Something other than the guest virtunit configured answers on that address, or the "
                        + "guest did not take the host key virtunit injected (did cloud-init run?)", e);
            }
            throw new VirtunitException("cannot connect to " + hostPort() + " within "
                    + human(target.connectTimeout()) + ": " + describe(e), e);
        }
        SshKeyPair key = target.clientKey();
        try {
            fresh.authPublickey(target.user(), fresh.loadKeys(key.privateKeyOpenSsh(), key.publicKeyLine(), null));
        } catch (UserAuthException e) {
            disconnectQuietly(fresh);
            throw new VirtunitException("SSH login refused: " + hostPort() + " did not accept user " + target.user()
                    + " with client key " + key.sha256Fingerprint() + ". The guest must have that key's public half "
                    + "in the user's ~/.ssh/authorized_keys (virtunit's cloud-init seed puts it there: did cloud-init "
                    + "run, and is the user right?)", e);
        } catch (IOException e) {
            disconnectQuietly(fresh);
            throw new VirtunitException("SSH login as " + target.address() + " failed: " + describe(e), e);
        }
        LOG.debug("logged in to {}", target.address());
        return fresh;
    }

    // ---- exec ----

    private VirtunitException timedOut(Session.Command running, String command, Duration timeout,
                                       Output stdout, Output stderr) {
        try {
            // Best effort: servers that implement the "signal" request stop the command; others leave it running.
            running.signal(Signal.KILL);
        } catch (IOException | RuntimeException e) {
            LOG.debug("could not send SIGKILL to `{}` on {}: {}", command, target.address(), e.toString());
        }
        return new VirtunitException("`" + command + "` on " + target.address() + " did not finish within "
                + human(timeout) + "; stdout so far: [" + tail(stdout.text()) + "], stderr so far: ["
                + tail(stderr.text()) + "]. (A background process that keeps stdout or stderr open keeps the command "
                + "open too: redirect its output, e.g. `daemon > /dev/null 2>&1 &`.)");
    }

    /**
     * The channel's streams and close event only fail when sshj tears the whole connection down, and it tells
     * the channels before it marks itself disconnected, so this does not ask {@link SSHClient#isConnected()}.
     */
    private VirtunitException connectionLost(SSHClient lost, String command, long started, Output stdout,
                                             Output stderr, Throwable cause) {
        discard(lost);
        return new VirtunitException("lost the SSH connection to " + target.address() + " while running `" + command
                + "`, after " + human(Duration.ofNanos(System.nanoTime() - started)) + " (did the guest reboot or stop?): "
                + describe(cause) + soFar(stdout, stderr), cause);
    }

    /** Sending the command or closing its channel failed: the server refused, or the connection is gone. */
    private VirtunitException execFailed(SSHClient used, String command, long started, Output stdout,
                                         Output stderr, IOException cause) {
        if (!used.isConnected()) {
            return connectionLost(used, command, started, stdout, stderr, cause);
        }
        return new VirtunitException("SSH could not run `" + command + "` on " + target.address() + ": "
                + describe(cause) + soFar(stdout, stderr), cause);
    }

    private static String soFar(Output stdout, Output stderr) {
        return "; stdout so far: [" + tail(stdout.text()) + "], stderr so far: [" + tail(stderr.text()) + "]";
    }

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
        return new ExecResult(command, NO_EXIT_STATUS, stdout, stderr + separator + note + "\n", duration);
    }

    /** Collects one output stream of a command while it runs, readable at any time (for timeout messages). */
    private static final class Output {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        CompletableFuture<Void> drain(InputStream stream) {
            return CompletableFuture.runAsync(() -> {
                byte[] buffer = new byte[8192];
                try (stream) {
                    for (int read = stream.read(buffer); read != -1; read = stream.read(buffer)) {
                        synchronized (bytes) {
                            bytes.write(buffer, 0, read);
                        }
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, OUTPUT_READERS);
        }

        String text() {
            synchronized (bytes) {
                return bytes.toString(StandardCharsets.UTF_8);
            }
        }
    }

    // ---- SFTP ----

    private void transfer(String what, SftpAction action) {
        Opened<SFTPClient> opened = open(SSHClient::newSFTPClient, what + " (opening SFTP)");
        try (SFTPClient sftp = opened.channel()) {
            sftp.getSFTPEngine().setTimeoutMs(toIntMillis(target.commandTimeout()));
            action.run(sftp);
            LOG.debug("{}: done", what);
        } catch (SFTPException e) {
            // The guest's SFTP server refused, e.g. "No such file" or "Permission denied" about the remote path.
            throw new VirtunitException("cannot " + what + ": the SFTP server says: " + describe(e), e);
        } catch (IOException e) {
            if (!opened.client().isConnected()) {
                discard(opened.client());
            }
            throw new VirtunitException("cannot " + what + ": " + describe(e), e);
        }
    }

    // ---- host key ----

    /**
     * sshj's fingerprint check, remembering what the server presented so a mismatch can name both keys.
     * virtunit's host keys are Ed25519 ({@link SshKeyPair}), so that algorithm is asked for first: a guest with
     * older RSA or ECDSA keys besides it must still show the key we know.
     */
    private static final class ExpectedHostKey implements HostKeyVerifier {
        private final HostKeyVerifier fingerprintCheck;
        private volatile String presented;
        private volatile boolean accepted;

        ExpectedHostKey(String fingerprint) {
            this.fingerprintCheck = FingerprintVerifier.getInstance(fingerprint);
        }

        @Override
        public boolean verify(String hostname, int port, PublicKey key) {
            presented = KeyType.fromKey(key) + " " + sha256Fingerprint(key);
            accepted = fingerprintCheck.verify(hostname, port, key);
            return accepted;
        }

        @Override
        public List<String> findExistingAlgorithms(String hostname, int port) {
            return List.of(KeyType.ED25519.toString());
        }

        boolean rejected() {
            return presented != null && !accepted;
        }

        String presented() {
            return presented;
        }

        private static String sha256Fingerprint(PublicKey key) {
            try {
                byte[] blob = new Buffer.PlainBuffer().putPublicKey(key).getCompactData();
                byte[] digest = MessageDigest.getInstance("SHA-256").digest(blob);
                return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(digest);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("SHA-256 is missing from this JDK", e);
            }
        }
    }

    // ---- small helpers ----

    private String hostPort() {
        return (target.host().indexOf(':') >= 0 ? "[" + target.host() + "]" : target.host()) + ":" + target.port();
    }

    private static long remainingNanos(long deadline) {
        return Math.max(0, deadline - System.nanoTime());
    }

    private static int toIntMillis(Duration duration) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, duration.toMillis()));
    }

    /** {@code 1s}, {@code 1500ms}, {@code 2m}: how people write timeouts, unlike {@code PT1.5S}. */
    static String human(Duration duration) {
        long millis = duration.toMillis();
        if (millis % 60_000 == 0 && millis > 0) {
            return millis / 60_000 + "m";
        }
        if (millis % 1000 == 0) {
            return millis / 1000 + "s";
        }
        return millis + "ms";
    }

    /** The last {@value #OUTPUT_SHOWN} characters of {@code text}, saying how much was left out. */
    static String tail(String text) {
        String stripped = text.strip();
        if (stripped.length() <= OUTPUT_SHOWN) {
            return stripped;
        }
        return "... (" + (stripped.length() - OUTPUT_SHOWN) + " characters before) "
                + stripped.substring(stripped.length() - OUTPUT_SHOWN);
    }

    /** Every distinct message along the cause chain: sshj often wraps the telling one. */
    static String describe(Throwable error) {
        Set<String> messages = new LinkedHashSet<>();
        for (Throwable t = error; t != null && messages.size() < 5; t = t.getCause()) {
            String message = t.getMessage();
            if (t instanceof UnknownHostException) {
                message = "unknown host " + message;
            }
            messages.add(message == null || message.isBlank() ? t.getClass().getSimpleName() : message);
        }
        List<String> distinct = new ArrayList<>();
        for (String message : messages) {
            if (distinct.stream().noneMatch(earlier -> earlier.contains(message))) {
                distinct.add(message);
            }
        }
        return String.join(": ", distinct);
    }

    private static String shellQuoted(String word) {
        boolean plain = !word.isEmpty()
                && word.chars().allMatch(c -> Character.isLetterOrDigit(c) || "-_./=:,@%+".indexOf(c) >= 0);
        return plain ? word : "'" + word.replace("'", "'\\''") + "'";
    }

    private void closeQuietly(Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException | RuntimeException e) {
            LOG.debug("closing {} on {} failed: {}", closeable, target.address(), e.toString());
        }
    }

    private static void disconnectQuietly(SSHClient sshClient) {
        try {
            sshClient.disconnect();
        } catch (IOException | RuntimeException e) {
            LOG.debug("disconnecting failed: {}", e.toString());
        }
    }
}
