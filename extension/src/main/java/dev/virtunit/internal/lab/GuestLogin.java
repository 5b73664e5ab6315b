package dev.virtunit.internal.lab;

import dev.virtunit.GuestNotReadyException;
import dev.virtunit.GuestSpec;
import dev.virtunit.Seed;
import dev.virtunit.VirtunitException;
import dev.virtunit.internal.ssh.ForwardingForbiddenException;
import dev.virtunit.internal.ssh.HostKeyPolicy;
import dev.virtunit.internal.ssh.HostKeyRejectedException;
import dev.virtunit.internal.ssh.LoginRefusedException;
import dev.virtunit.internal.ssh.SshCredentials;
import dev.virtunit.internal.ssh.SshKeyPair;

import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * How virtunit logs in to one guest over its whole life. With a seed: the run's client key, and the host key
 * virtunit injected. Without one: the identity file or password the image already has, and the host key pinned
 * by the spec or trusted on first use; that trust is held here, so it outlives every SSH connection and reboot.
 */
final class GuestLogin {

    private final String guest;
    private final Optional<SshCredentials> credentials;
    private final HostKeyPolicy hostKey;
    private final Optional<Path> keyFileForHumans;

    private GuestLogin(String guest, Optional<SshCredentials> credentials, HostKeyPolicy hostKey,
                       Optional<Path> keyFileForHumans) {
        this.guest = guest;
        this.credentials = credentials;
        this.hostKey = hostKey;
        this.keyFileForHumans = keyFileForHumans;
    }

    /** {@code injectedHostKey} is the one the seed carries; unused without a seed. */
    static GuestLogin of(GuestSpec spec, String guest, SshKeyPair injectedHostKey, SshKeyPair clientKey,
                         Path clientKeyFile) {
        if (spec.seed() == Seed.NOCLOUD) {
            return new GuestLogin(guest, Optional.of(SshCredentials.key(clientKey)),
                    HostKeyPolicy.injected(injectedHostKey.sha256Fingerprint()), Optional.of(clientKeyFile));
        }
        Optional<SshCredentials> imageLogin = spec.identityFile().isEmpty() && spec.password().isEmpty()
                ? Optional.empty() : Optional.of(SshCredentials.ofImage(spec.identityFile(), spec.password()));
        HostKeyPolicy hostKey = spec.hostKey().map(HostKeyPolicy::pinned)
                .orElseGet(() -> HostKeyPolicy.trustOnFirstUse(guest));
        return new GuestLogin(guest, imageLogin, hostKey, spec.identityFile());
    }

    /** What the login offers; an image without a seed declared with no login has none, and says so. */
    SshCredentials credentials() {
        return credentials.orElseThrow(() -> new VirtunitException("guest " + guest + " has seed NONE and no login: "
                + "virtunit put no key into it. Declare the login the image has (identityFile or password) to use ssh()"));
    }

    HostKeyPolicy hostKey() {
        return hostKey;
    }

    /**
     * Whether waiting for SSH may still help. A pinned or trusted host key that differs, a login an image without a
     * seed refuses, or a remote host that forbids the TCP forwarding its guests are reached by, will not change
     * however long we wait: those end the wait at once.
     */
    static boolean worthRetrying(Throwable failure) {
        return !(failure instanceof GuestNotReadyException || failure instanceof HostKeyRejectedException
                || failure instanceof LoginRefusedException || failure instanceof ForwardingForbiddenException);
    }

    /**
     * Runs an SSH call; a failure that waiting cannot mend becomes a {@link GuestNotReadyException} naming the guest,
     * which readiness and reboot do not retry.
     */
    static <T> T finalFailureNamed(String guest, Supplier<T> sshCall) {
        try {
            return sshCall.get();
        } catch (HostKeyRejectedException | LoginRefusedException | ForwardingForbiddenException e) {
            throw new GuestNotReadyException("guest " + guest + " will not become ready: " + e.getMessage(), e);
        }
    }

    /** The private key file a human passes to {@code ssh -i}: the run's client key, or the image's identity file. */
    Optional<Path> keyFileForHumans() {
        return keyFileForHumans;
    }
}
