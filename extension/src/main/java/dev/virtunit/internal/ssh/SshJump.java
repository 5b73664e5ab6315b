package dev.virtunit.internal.ssh;

import dev.virtunit.VirtunitException;
import net.schmizz.sshj.Config;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.common.SSHException;
import net.schmizz.sshj.connection.channel.ChannelInputStream;
import net.schmizz.sshj.connection.channel.OpenFailException;
import net.schmizz.sshj.connection.channel.direct.DirectConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import static dev.virtunit.internal.ssh.SshMessages.describe;
import static dev.virtunit.internal.ssh.SshMessages.human;

/**
 * TCP streams that start on a remote host, over that host's one SSH connection (the one its
 * {@link SshHostCommands} run on): the way to a guest on a bridge of that host, which this machine has no route to.
 * Each stream is a direct-tcpip channel, what {@code ssh -J} uses; the host's SSH server connects to the target and
 * says whether it could. A guest's login goes through one ({@link SshRoute#via(SshJump)}), and so does a probe of a
 * guest's port ({@link #portOpen}). A host connection that died is opened again once, as a guest's is
 * ({@link SshConnection}); a target the host cannot connect to leaves that connection alone, since the host's
 * commands share it.
 *
 * @since 0.4
 */
public final class SshJump {

    private static final Logger LOG = LoggerFactory.getLogger(SshJump.class);

    /**
     * Bounds the wait for a tunneled server's greeting, which no socket timeout covers here (sshj reads a channel
     * without one): one daemon thread for all logins, each check a moment's work.
     */
    private static final ScheduledExecutorService GREETING_WATCH = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "virtunit-ssh-greeting-watch");
        thread.setDaemon(true);
        return thread;
    });

    private final SshTarget host;
    private final SshConnection connection;

    SshJump(SshTarget host, SshConnection connection) {
        this.host = host;
        this.connection = connection;
    }

    /** The host the streams start on, {@code user@host:port}: what {@code ssh -J} takes. */
    public String address() {
        return host.address();
    }

    /**
     * Whether {@code port} of {@code address} accepts a TCP connection as the host sees it: the host's SSH server
     * connected a direct-tcpip channel there (closed again at once). A refused or unreachable target, or one that
     * did not answer while the host's SSH server waited, is {@code false}; a host that cannot be reached, or that
     * does not allow TCP forwarding, is a {@link VirtunitException} naming it, since no answer about the port could
     * be had.
     */
    public boolean portOpen(String address, int port) {
        DirectConnection probe;
        try {
            probe = tunnel(address, port);
        } catch (SshConnection.ChannelRefusedException e) {
            LOG.debug("port {} not open as {} sees it: {}", SshTarget.hostPort(address, port), address(), e.getMessage());
            return false;
        }
        closeQuietly(probe);
        return true;
    }

    /**
     * A TCP stream from the host to {@code address:port}. Throws {@link SshConnection.ChannelRefusedException} when
     * the host could not connect there, and {@link VirtunitException} when the host itself cannot be used; both name
     * the host and the target.
     */
    DirectConnection tunnel(String address, int port) {
        String target = SshTarget.hostPort(address, port);
        try {
            return connection.openOnLiveConnection(client -> client.newDirectConnection(address, port),
                    "open a TCP connection to " + target).channel();
        } catch (SshConnection.ChannelRefusedException e) {
            if (e.getCause() instanceof OpenFailException refusal
                    && refusal.getReason() == OpenFailException.Reason.ADMINISTRATIVELY_PROHIBITED) {
                // Not an answer about the target: no stream will ever open, so no probe may say "not open yet".
                throw new ForwardingForbiddenException("the jump host " + address() + " does not allow TCP forwarding, so "
                        + target + " cannot be reached through it (" + describe(refusal) + "). Allow it for "
                        + host.user() + " there: AllowTcpForwarding yes (OpenSSH), or dropbear without -j", refusal);
            }
            throw new SshConnection.ChannelRefusedException("the jump host " + address() + " could not connect to "
                    + target + " (" + describe(e.getCause()) + "): is that address on one of that host's networks, "
                    + "and does something listen on the port?", e.getCause());
        } catch (VirtunitException e) {
            throw new VirtunitException("the jump host " + address() + " cannot be used to reach " + target + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * Connects {@code client} (made by {@link #newClient}) to {@code address:port} through a stream from the host,
     * failing if the server there has not greeted within {@code greetingTimeout}. Host key checks and the login are
     * the client's, exactly as for a direct connection: the host only carries the bytes.
     */
    void connect(TunneledClient client, String address, int port, Duration greetingTimeout) throws IOException {
        DirectConnection tunnel = tunnel(address, port);
        client.closesWith(tunnel);
        ScheduledFuture<?> watch = GREETING_WATCH.schedule(() -> {
            if (!greeted(client)) {
                ((ChannelInputStream) tunnel.getInputStream()).notifyError(new SSHException("no SSH greeting from "
                        + SshTarget.hostPort(address, port) + " via " + address() + " within " + human(greetingTimeout)
                        + " (the host connected, the server there said nothing)"));
            }
        }, SshLogin.sshjMillis(greetingTimeout), TimeUnit.MILLISECONDS);
        try {
            client.connectVia(tunnel);
        } finally {
            watch.cancel(false);
        }
    }

    /** Whether the server's identification line has arrived. */
    private static boolean greeted(SSHClient client) {
        try {
            return client.getTransport().getServerVersion() != null;
        } catch (RuntimeException e) {
            // sshj 0.40 holds "" until the line is read, and its version's substring(8) of that throws.
            return false;
        }
    }

    /** A client for a login through this host: it closes its stream when it disconnects. */
    static TunneledClient newClient(Config config) {
        return new TunneledClient(config);
    }

    @Override
    public String toString() {
        return "SshJump[" + address() + "]";
    }

    private static void closeQuietly(DirectConnection channel) {
        try {
            channel.close();
        } catch (IOException | RuntimeException e) {
            LOG.debug("closing a direct-tcpip channel failed: {}", e.toString());
        }
    }

    /**
     * An {@link SSHClient} whose transport is a direct-tcpip channel of the host's connection: disconnecting it
     * closes that channel too, which sshj leaves open (it only closes the channel's streams).
     */
    static final class TunneledClient extends SSHClient {

        private volatile DirectConnection tunnel;

        private TunneledClient(Config config) {
            super(config);
        }

        private void closesWith(DirectConnection channel) {
            this.tunnel = channel;
        }

        @Override
        public void disconnect() throws IOException {
            try {
                super.disconnect();
            } finally {
                DirectConnection channel = tunnel;
                if (channel != null) {
                    closeQuietly(channel);
                }
            }
        }
    }
}
