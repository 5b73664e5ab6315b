package dev.virtunit.internal.ssh;

import dev.virtunit.VirtunitException;
import net.schmizz.sshj.Config;
import net.schmizz.sshj.DefaultConfig;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.userauth.UserAuthException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;

import static dev.virtunit.internal.ssh.SshMessages.describe;
import static dev.virtunit.internal.ssh.SshMessages.human;

/**
 * One login to a guest: a new {@link SSHClient} per attempt, with every timeout set (sshj waits forever by
 * default), the injected host key checked and the in-memory client key used; nothing is read from or written to
 * {@code ~/.ssh}. Each way a login fails has its own message: nothing answers, a wrong host key, a refused login.
 */
final class SshLogin {

    private static final Logger LOG = LoggerFactory.getLogger(SshLogin.class);

    /** Building sshj's algorithm lists is not free and they never change, so every client shares one. */
    private static final Config SSHJ_CONFIG = new DefaultConfig();

    /** Key exchange on an emulated guest CPU can take seconds; sshj's own default is 30 s. */
    private static final Duration MIN_PROTOCOL_TIMEOUT = Duration.ofSeconds(30);

    private final SshTarget target;
    private final int protocolTimeoutMs;

    SshLogin(SshTarget target) {
        this.target = target;
        Duration protocolTimeout = target.connectTimeout().compareTo(MIN_PROTOCOL_TIMEOUT) > 0
                ? target.connectTimeout() : MIN_PROTOCOL_TIMEOUT;
        this.protocolTimeoutMs = sshjMillis(protocolTimeout);
    }

    /**
     * Connects and authenticates a new client, or throws {@link VirtunitException} saying why not. The TCP connect
     * and the server's greeting are bounded by {@link SshTarget#connectTimeout()}, the protocol steps (key exchange,
     * login, opening and closing channels) by at least 30 s.
     */
    SSHClient login() {
        SSHClient fresh = new SSHClient(SSHJ_CONFIG);
        fresh.setConnectTimeout(sshjMillis(target.connectTimeout()));
        // The socket read timeout bounds the wait for the server's greeting; sshj's reader thread shrugs it off
        // afterwards, so an idle connection survives it.
        fresh.setTimeout(sshjMillis(target.connectTimeout()));
        fresh.getTransport().setTimeoutMs(protocolTimeoutMs);
        fresh.getConnection().setTimeoutMs(protocolTimeoutMs);
        InjectedHostKeyVerifier hostKey = new InjectedHostKeyVerifier(target.hostKeyFingerprint());
        fresh.addHostKeyVerifier(hostKey);
        try {
            fresh.connect(target.host(), target.port());
        } catch (IOException e) {
            disconnectQuietly(fresh);
            if (hostKey.rejected()) {
                throw hostKey.mismatch(target.hostPort(), e);
            }
            throw new VirtunitException("cannot connect to " + target.hostPort() + " within "
                    + human(target.connectTimeout()) + ": " + describe(e), e);
        }
        SshKeyPair key = target.clientKey();
        try {
            fresh.authPublickey(target.user(), fresh.loadKeys(key.privateKeyOpenSsh(), key.publicKeyLine(), null));
        } catch (UserAuthException e) {
            disconnectQuietly(fresh);
            throw new VirtunitException("SSH login refused: " + target.hostPort() + " did not accept user "
                    + target.user() + " with client key " + key.sha256Fingerprint() + ". The guest must have that "
                    + "key's public half in the user's ~/.ssh/authorized_keys (virtunit's cloud-init seed puts it "
                    + "there: did cloud-init run, and is the user right?)", e);
        } catch (IOException e) {
            disconnectQuietly(fresh);
            throw new VirtunitException("SSH login as " + target.address() + " failed: " + describe(e), e);
        }
        LOG.debug("logged in to {}", target.address());
        return fresh;
    }

    /** sshj takes timeouts as positive int milliseconds. */
    static int sshjMillis(Duration duration) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, duration.toMillis()));
    }

    static void disconnectQuietly(SSHClient client) {
        try {
            client.disconnect();
        } catch (IOException | RuntimeException e) {
            LOG.debug("disconnecting failed: {}", e.toString());
        }
    }
}
