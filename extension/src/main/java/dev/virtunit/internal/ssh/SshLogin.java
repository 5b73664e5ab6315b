package dev.virtunit.internal.ssh;

import dev.virtunit.VirtunitException;
import net.schmizz.sshj.Config;
import net.schmizz.sshj.DefaultConfig;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.userauth.UserAuthException;
import net.schmizz.sshj.userauth.keyprovider.KeyProvider;
import net.schmizz.sshj.userauth.method.AuthKeyboardInteractive;
import net.schmizz.sshj.userauth.method.AuthMethod;
import net.schmizz.sshj.userauth.method.AuthPassword;
import net.schmizz.sshj.userauth.method.AuthPublickey;
import net.schmizz.sshj.userauth.method.PasswordResponseProvider;
import net.schmizz.sshj.userauth.password.PasswordUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.virtunit.internal.ssh.SshMessages.describe;
import static dev.virtunit.internal.ssh.SshMessages.human;

/**
 * One login to a guest: a new {@link SSHClient} per attempt, with every timeout set (sshj waits forever by
 * default), the host key checked by the target's {@link HostKeyPolicy} and the target's credentials offered (the
 * in-memory client key, or what an image without a seed accepts); nothing is read from or written to
 * {@code ~/.ssh}. The TCP connection goes the target's {@link SshRoute}: from this machine, or through a remote host's
 * SSH connection. Each way a login fails has its own message: nothing answers, a wrong host key, a refused login.
 */
final class SshLogin {

    private static final Logger LOG = LoggerFactory.getLogger(SshLogin.class);

    /**
     * Building sshj's algorithm lists is not free and they never change, so every client shares one; sshj's chatter
     * goes to DEBUG ({@link QuietSshjLoggers}).
     */
    private static final Config SSHJ_CONFIG = quietConfig();

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

    private static Config quietConfig() {
        DefaultConfig config = new DefaultConfig();
        config.setLoggerFactory(new QuietSshjLoggers());
        return config;
    }

    /**
     * Connects and authenticates a new client, or throws {@link VirtunitException} saying why not. The TCP connect
     * and the server's greeting are bounded by {@link SshTarget#connectTimeout()}, the protocol steps (key exchange,
     * login, opening and closing channels) by at least 30 s.
     */
    SSHClient login() {
        SSHClient fresh = target.route().newClient(SSHJ_CONFIG);
        fresh.setConnectTimeout(sshjMillis(target.connectTimeout()));
        // The socket read timeout bounds the wait for the server's greeting; sshj's reader thread shrugs it off
        // afterwards, so an idle connection survives it.
        fresh.setTimeout(sshjMillis(target.connectTimeout()));
        fresh.getTransport().setTimeoutMs(protocolTimeoutMs);
        fresh.getConnection().setTimeoutMs(protocolTimeoutMs);
        PresentedKeyVerifier hostKey = target.hostKey().newVerifier();
        fresh.addHostKeyVerifier(hostKey);
        try {
            target.route().connect(fresh, target.host(), target.port(), target.connectTimeout());
        } catch (ForwardingForbiddenException e) {
            disconnectQuietly(fresh);
            throw new ForwardingForbiddenException("cannot connect to " + target.hostPort() + ": " + e.getMessage(), e);
        } catch (VirtunitException e) {
            // The jump host could not be used or could not connect there; its message names it and the target.
            disconnectQuietly(fresh);
            throw new VirtunitException("cannot connect to " + target.hostPort() + ": " + e.getMessage(), e);
        } catch (IOException e) {
            disconnectQuietly(fresh);
            if (hostKey.rejected()) {
                throw hostKey.mismatch(target.hostPort(), e);
            }
            throw new VirtunitException("cannot connect to " + target.hostPort() + " within "
                    + human(target.connectTimeout()) + ": " + describe(e), e);
        }
        try {
            fresh.auth(target.user(), authMethods(fresh));
        } catch (UserAuthException e) {
            disconnectQuietly(fresh);
            throw refused(e);
        } catch (IOException e) {
            disconnectQuietly(fresh);
            throw new VirtunitException("SSH login as " + target.address() + " failed: " + describe(e), e);
        }
        LOG.debug("logged in to {}", target.address());
        return fresh;
    }

    /** Each credential offered, as sshj tries them: keys first, then the password (plain, and keyboard-interactive). */
    private List<AuthMethod> authMethods(SSHClient client) {
        SshCredentials offered = target.credentials();
        List<AuthMethod> methods = new ArrayList<>();
        try {
            if (offered.clientKey().isPresent()) {
                SshKeyPair key = offered.clientKey().get();
                methods.add(new AuthPublickey(client.loadKeys(key.privateKeyOpenSsh(), key.publicKeyLine(), null)));
            }
            if (offered.identityFile().isPresent()) {
                KeyProvider keys = client.loadKeys(offered.identityFile().get().toString());
                keys.getPrivate();   // sshj parses lazily and would report a broken file as a refused login
                methods.add(new AuthPublickey(keys));
            }
        } catch (IOException e) {
            disconnectQuietly(client);
            throw new VirtunitException("cannot read the private key " + offered.identityFile().orElse(null) + " to log "
                    + "in to " + target.hostPort() + ": " + describe(e) + ". Give an unencrypted OpenSSH or PEM "
                    + "private key", e);
        }
        offered.agentSocket().ifPresent(socket -> methods.addAll(agentMethods(client, new SshAgent(socket))));
        offered.password().ifPresent(password -> {
            methods.add(new AuthPassword(PasswordUtils.createOneOff(password.toCharArray())));
            methods.add(new AuthKeyboardInteractive(new PasswordResponseProvider(
                    PasswordUtils.createOneOff(password.toCharArray()))));
        });
        return methods;
    }

    /** One login per key the agent holds, in the agent's order, as ssh offers them. */
    private List<AuthMethod> agentMethods(SSHClient client, SshAgent agent) {
        List<SshAgent.Identity> keys;
        try {
            keys = agent.identities();
        } catch (IOException e) {
            disconnectQuietly(client);
            throw new VirtunitException("cannot ask the SSH agent at " + agent.socket() + " for keys to log in to "
                    + target.hostPort() + ": " + describe(e) + ". Is the agent running, and is SSH_AUTH_SOCK its "
                    + "socket?", e);
        }
        if (keys.isEmpty()) {
            disconnectQuietly(client);
            throw new VirtunitException("the SSH agent at " + agent.socket() + " holds no key to log in to "
                    + target.hostPort() + " with: add the key that host accepts with ssh-add");
        }
        return keys.stream().<AuthMethod>map(key -> new AgentPublickey(agent, key)).toList();
    }

    /** A refused login: with virtunit's key the seed should have put it there; otherwise the image must accept it. */
    private VirtunitException refused(UserAuthException cause) {
        SshCredentials offered = target.credentials();
        if (offered.clientKey().isPresent()) {
            return new VirtunitException("SSH login refused: " + target.hostPort() + " did not accept user "
                    + target.user() + " with client key " + offered.clientKey().get().sha256Fingerprint() + ". The guest "
                    + "must have that key's public half in the user's ~/.ssh/authorized_keys (virtunit's cloud-init "
                    + "seed puts it there: did cloud-init run, and is the user right?)", cause);
        }
        return new LoginRefusedException("SSH login refused: " + target.hostPort() + " did not accept user "
                + target.user() + " with " + offered.describe() + ". The image has no seed, so it must already accept "
                + "that login: is the user right, is the key's public half in its ~/.ssh/authorized_keys, does its "
                + "SSH server allow passwords?", cause);
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
