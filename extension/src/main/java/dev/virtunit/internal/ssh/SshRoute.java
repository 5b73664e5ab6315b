package dev.virtunit.internal.ssh;

import net.schmizz.sshj.Config;
import net.schmizz.sshj.SSHClient;

import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How an SSH login's TCP connection reaches its server: directly from this machine (a guest on a bridge here), or
 * through a remote host's SSH connection ({@link SshJump}), for a guest on a bridge of that host. Everything on the
 * login (commands, SFTP, host key checks) is the same either way; only the stream underneath differs, and every
 * message about the target names the route.
 *
 * @since 0.4
 */
public final class SshRoute {

    private static final SshRoute DIRECT = new SshRoute(null);

    /** The host the connection goes through, or null for a direct connection. */
    private final SshJump jump;

    private SshRoute(SshJump jump) {
        this.jump = jump;
    }

    /** A TCP connection from this machine to the target. */
    public static SshRoute direct() {
        return DIRECT;
    }

    /** A stream from {@code jump}'s host to the target, over that host's SSH connection. */
    public static SshRoute via(SshJump jump) {
        return new SshRoute(Objects.requireNonNull(jump, "jump"));
    }

    /** The host the connection goes through; empty for a direct one. */
    public Optional<SshJump> jump() {
        return Optional.ofNullable(jump);
    }

    /** What messages add after the target: {@code " via root@172.31.250.4:22"}, or nothing for a direct connection. */
    public String described() {
        return jump == null ? "" : " via " + jump.address();
    }

    /** A client for one login on this route; {@link #connect} takes only the clients made here. */
    SSHClient newClient(Config config) {
        return jump == null ? new SSHClient(config) : SshJump.newClient(config);
    }

    /**
     * Connects {@code client} to {@code host:port}. Directly, the TCP connect and the greeting are bounded by the
     * client's own connect and socket timeouts; through a jump, by the host's SSH server and {@code greetingTimeout}.
     * A jump host that cannot be used or cannot connect there is a {@link dev.virtunit.VirtunitException} naming it.
     */
    void connect(SSHClient client, String host, int port, Duration greetingTimeout) throws IOException {
        if (jump == null) {
            client.connect(host, port);
        } else {
            jump.connect((SshJump.TunneledClient) client, host, port, greetingTimeout);
        }
    }

    /** Routes through the same jump (the same host connection) are equal. */
    @Override
    public boolean equals(Object other) {
        return other instanceof SshRoute route && route.jump == jump;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(jump);
    }

    @Override
    public String toString() {
        return jump == null ? "direct" : "via " + jump.address();
    }
}
