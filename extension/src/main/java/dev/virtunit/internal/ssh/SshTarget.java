package dev.virtunit.internal.ssh;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything needed to log in to one guest over SSH: where, as whom, with which client key, and which host key
 * to expect. Immutable; {@link SshjSsh} connects from it as often as it needs to.
 *
 * @param host               address of the guest, e.g. {@code 192.168.77.10}
 * @param port               its SSH port, 1 to 65535
 * @param user               user to log in as
 * @param credentials        what the login offers: virtunit's client key, or what an image without a seed accepts
 * @param hostKey            which host key the guest must present: the one virtunit injected, a pinned one, or
 *                           the first one seen
 * @param connectTimeout     bound on opening the TCP connection and on the server's first words
 * @param commandTimeout     how long {@code exec(command)} and each SFTP request may take
 * @param privateKeyFile     the private key file a human passes to {@code ssh -i} (the client key's, written for
 *                           humans, or the identity file), or {@code null} if it
 *                           lives in memory only; used by {@link SshjSsh#commandLine()} and nothing else
 * @param route              how the TCP connection gets there: {@link SshRoute#direct() directly} from this machine,
 *                           or through a remote host's SSH connection ({@link SshRoute#via(SshJump)}); every message
 *                           about the target names it (since 0.4)
 * @since 0.1
 */
public record SshTarget(String host, int port, String user, SshCredentials credentials, HostKeyPolicy hostKey,
                        Duration connectTimeout, Duration commandTimeout, Path privateKeyFile, SshRoute route) {

    public static final int DEFAULT_PORT = 22;
    /**
     * Generous on purpose: a guest under software emulation on a loaded host (parallel classes, several guests
     * booting) took more than 5 s to send OpenSSH's greeting; a port that is closed is refused at once anyway.
     */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(20);
    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(60);

    public SshTarget {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(credentials, "credentials");
        Objects.requireNonNull(hostKey, "hostKey");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(commandTimeout, "commandTimeout");
        Objects.requireNonNull(route, "route");
        if (host.isBlank() || user.isBlank()) {
            throw new IllegalArgumentException("SSH host and user must not be blank, got user [" + user + "] host [" + host + "]");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("SSH port " + port + " of " + host + " is not between 1 and 65535");
        }
        hostKey.fingerprint().filter(fingerprint -> !fingerprint.startsWith("SHA256:")).ifPresent(fingerprint -> {
            throw new IllegalArgumentException("host key fingerprint [" + fingerprint + "] of " + host
                    + " must be in the form SHA256:<base64>, as SshKeyPair.sha256Fingerprint() gives it");
        });
        requirePositive(connectTimeout, "connectTimeout");
        requirePositive(commandTimeout, "commandTimeout");
    }

    /** A target reached directly from this machine, as every target was before routes (0.1 to 0.3). */
    public SshTarget(String host, int port, String user, SshCredentials credentials, HostKeyPolicy hostKey,
                     Duration connectTimeout, Duration commandTimeout, Path privateKeyFile) {
        this(host, port, user, credentials, hostKey, connectTimeout, commandTimeout, privateKeyFile, SshRoute.direct());
    }

    /** The same target logging in as {@code otherUser}, with the same credentials and host key policy. */
    public SshTarget withUser(String otherUser) {
        return new SshTarget(host, port, otherUser, credentials, hostKey, connectTimeout, commandTimeout, privateKeyFile,
                route);
    }

    /**
     * A target on {@code host:port} that logs in with {@code clientKey} and expects the injected host key of this
     * fingerprint, with the default timeouts and no private key file.
     */

    public static SshTarget of(String host, int port, String user, SshKeyPair clientKey, String hostKeyFingerprint) {
        return new SshTarget(host, port, user, SshCredentials.key(clientKey), HostKeyPolicy.injected(hostKeyFingerprint),
                DEFAULT_CONNECT_TIMEOUT, DEFAULT_COMMAND_TIMEOUT, null);
    }

    public SshTarget withConnectTimeout(Duration timeout) {
        return new SshTarget(host, port, user, credentials, hostKey, timeout, commandTimeout, privateKeyFile, route);
    }

    public SshTarget withCommandTimeout(Duration timeout) {
        return new SshTarget(host, port, user, credentials, hostKey, connectTimeout, timeout, privateKeyFile, route);
    }

    public SshTarget withPrivateKeyFile(Path file) {
        return new SshTarget(host, port, user, credentials, hostKey, connectTimeout, commandTimeout, file, route);
    }

    /** Expects the injected host key of this fingerprint. */
    public SshTarget withHostKeyFingerprint(String fingerprint) {
        return withHostKey(HostKeyPolicy.injected(fingerprint));
    }

    public SshTarget withHostKey(HostKeyPolicy policy) {
        return new SshTarget(host, port, user, credentials, policy, connectTimeout, commandTimeout, privateKeyFile, route);
    }

    /** Logs in with virtunit's client key {@code key}. */
    public SshTarget withClientKey(SshKeyPair key) {
        return withCredentials(SshCredentials.key(key));
    }

    public SshTarget withCredentials(SshCredentials offered) {
        return new SshTarget(host, port, user, offered, hostKey, connectTimeout, commandTimeout, privateKeyFile, route);
    }

    /**
     * The same target reached by {@code how}: through a remote host's SSH connection for a guest on that host.
     *
     * @since 0.4
     */
    public SshTarget withRoute(SshRoute how) {
        return new SshTarget(host, port, user, credentials, hostKey, connectTimeout, commandTimeout, privateKeyFile, how);
    }

    /** {@link #privateKeyFile()} without the null. */
    public Optional<Path> privateKeyFileIfWritten() {
        return Optional.ofNullable(privateKeyFile);
    }

    /**
     * {@code user@host:port} (IPv6 hosts in brackets), for messages; through a jump
     * {@code user@host:port via jumpuser@jumphost:port}, since the same guest address may exist behind several hosts.
     */
    public String address() {
        return user + "@" + hostPort();
    }

    /** {@code host:port} (IPv6 hosts in brackets) and the route, for messages about the server rather than the login. */
    public String hostPort() {
        return hostPort(host, port) + route.described();
    }

    /** {@code host:port}, an IPv6 host in brackets, as ssh and messages write it. */
    static String hostPort(String host, int port) {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    private static void requirePositive(Duration duration, String name) {
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + duration);
        }
    }
}
