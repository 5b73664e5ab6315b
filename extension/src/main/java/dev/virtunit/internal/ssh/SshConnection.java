package dev.virtunit.internal.ssh;

import dev.virtunit.VirtunitException;
import net.schmizz.sshj.SSHClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;

import static dev.virtunit.internal.ssh.SshLogin.disconnectQuietly;
import static dev.virtunit.internal.ssh.SshMessages.describe;

/**
 * The one logged-in {@link SSHClient} all calls to a guest share, each in its own channel. When it has died (the
 * guest rebooted, sshd restarted), the next call notices when it cannot open its channel, throws the dead client
 * away and logs in again with a new one, once. Each call makes at most one login attempt: waiting for a guest to
 * come (back) up is the caller's business.
 */
final class SshConnection implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SshConnection.class);

    /** A channel and the client it was opened on, which a failure on the channel may have to discard. */
    record Opened<C>(SSHClient client, C channel) {
    }

    /** Opens one kind of channel (a session, an SFTP subsystem) on a client. */
    @FunctionalInterface
    interface ChannelOpener<C> {
        C open(SSHClient client) throws IOException;
    }

    private record Current(SSHClient client, boolean fresh) {
    }

    /** The server, reached over a live connection, would not open the channel: its answer, not a lost connection. */
    static final class ChannelRefusedException extends VirtunitException {
        private static final long serialVersionUID = 1L;

        ChannelRefusedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final SshTarget target;
    private final SshLogin login;

    /** The logged-in client, or null before the first call and after it died; guarded by {@code this}. */
    private SSHClient client;
    private boolean closed;

    SshConnection(SshTarget target) {
        this.target = target;
        this.login = new SshLogin(target);
    }

    /** Logs in now unless already logged in; throws {@link VirtunitException} saying why if that fails. */
    void connect() {
        current();
    }

    /**
     * Opens a channel on the current connection. If that fails on a connection that was used before, it has
     * probably died since (a reboot), and one fresh login is tried: nothing has run yet, so that is safe.
     */
    <C> Opened<C> open(ChannelOpener<C> opener, String purpose) {
        return open(opener, purpose, false);
    }

    /**
     * Opens a channel whose refusal is the server's answer about something beyond it, as when a remote host cannot
     * connect a direct-tcpip channel to its target: on a connection that is still up, the failure is thrown as
     * {@link ChannelRefusedException} and the connection is kept for the other calls that share it; only a connection
     * that died is replaced, once, as by {@link #open(ChannelOpener, String)}.
     */
    <C> Opened<C> openOnLiveConnection(ChannelOpener<C> opener, String purpose) {
        return open(opener, purpose, true);
    }

    private <C> Opened<C> open(ChannelOpener<C> opener, String purpose, boolean refusalIsAnAnswer) {
        Current connection = current();
        try {
            return new Opened<>(connection.client(), opener.open(connection.client()));
        } catch (IOException first) {
            refusedOnLiveConnection(connection.client(), refusalIsAnAnswer, purpose, first);
            discard(connection.client());
            if (connection.fresh()) {
                throw cannotOpen(purpose, first);
            }
            LOG.info("SSH connection to {} is gone ({}); logging in again", target.address(), describe(first));
        }
        SSHClient again = current().client();
        try {
            return new Opened<>(again, opener.open(again));
        } catch (IOException e) {
            refusedOnLiveConnection(again, refusalIsAnAnswer, purpose, e);
            discard(again);
            throw cannotOpen(purpose, e);
        }
    }

    private void refusedOnLiveConnection(SSHClient client, boolean refusalIsAnAnswer, String purpose, IOException e) {
        if (refusalIsAnAnswer && client.isConnected() && client.isAuthenticated()) {
            throw new ChannelRefusedException(cannotOpen(purpose, e).getMessage(), e);
        }
    }

    private VirtunitException cannotOpen(String purpose, IOException cause) {
        return new VirtunitException("cannot " + purpose + " on " + target.address() + ": " + describe(cause), cause);
    }

    /** Forgets {@code broken} unless another thread has already replaced it, and disconnects it. */
    synchronized void discard(SSHClient broken) {
        if (client == broken) {
            client = null;
        }
        disconnectQuietly(broken);
    }

    /**
     * Drops the live connection (the guest is about to reboot or stop) but stays usable: the next call logs in again,
     * so a handle a test captured keeps working across a reboot.
     */
    synchronized void disconnect() {
        if (client != null) {
            disconnectQuietly(client);
            client = null;
        }
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

    /** The logged-in client, logging in anew if there is none or it has died. */
    private synchronized Current current() {
        if (closed) {
            throw new VirtunitException("SSH to " + target.address() + " was closed; it cannot be used any more");
        }
        if (client != null && client.isConnected() && client.isAuthenticated()) {
            return new Current(client, false);
        }
        if (client != null) {
            LOG.info("SSH connection to {} was lost; logging in again", target.address());
            disconnectQuietly(client);
            client = null;
        }
        client = login.login();
        return new Current(client, true);
    }
}
