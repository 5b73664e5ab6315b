package dev.virtunit.internal.ssh;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a login offers, in the order it is tried: virtunit's in-memory client key (the seed put its public half in the
 * guest), a private key file the image (or a remote host) already accepts, the keys of the user's SSH agent (for a
 * remote host), a password the image already has. At least one.
 *
 * @param agentSocket the SSH agent's socket ({@code $SSH_AUTH_SOCK}) whose keys are offered; since 0.3
 * @since 0.2
 */
public record SshCredentials(Optional<SshKeyPair> clientKey, Optional<Path> identityFile, Optional<String> password,
                             Optional<Path> agentSocket) {

    public SshCredentials {
        Objects.requireNonNull(clientKey, "clientKey");
        Objects.requireNonNull(identityFile, "identityFile");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(agentSocket, "agentSocket");
        if (clientKey.isEmpty() && identityFile.isEmpty() && password.isEmpty() && agentSocket.isEmpty()) {
            throw new IllegalArgumentException("an SSH login needs a client key, an identity file, an SSH agent or a "
                    + "password");
        }
    }

    /** Without an SSH agent, as before 0.3. */
    public SshCredentials(Optional<SshKeyPair> clientKey, Optional<Path> identityFile, Optional<String> password) {
        this(clientKey, identityFile, password, Optional.empty());
    }

    /**
     * The keys the SSH agent listening on {@code socket} holds (the user's {@code $SSH_AUTH_SOCK}).
     *
     * @since 0.3
     */
    public static SshCredentials agent(Path socket) {
        return new SshCredentials(Optional.empty(), Optional.empty(), Optional.empty(), Optional.of(socket));
    }

    /** virtunit's own client key, whose public half the seed put into the guest. */
    public static SshCredentials key(SshKeyPair clientKey) {
        return new SshCredentials(Optional.of(clientKey), Optional.empty(), Optional.empty());
    }

    /** What an image without a seed already accepts: a private key file, a password, or both. */
    public static SshCredentials ofImage(Optional<Path> identityFile, Optional<String> password) {
        return new SshCredentials(Optional.empty(), identityFile, password);
    }

    /** {@code client key SHA256:..., identity file /k, the keys of the SSH agent at /s, a password}: what was offered, for messages; never the password. */
    public String describe() {
        List<String> offered = new ArrayList<>();
        clientKey.ifPresent(key -> offered.add("client key " + key.sha256Fingerprint()));
        identityFile.ifPresent(file -> offered.add("identity file " + file));
        agentSocket.ifPresent(socket -> offered.add("the keys of the SSH agent at " + socket));
        password.ifPresent(p -> offered.add("a password"));
        return String.join(", ", offered);
    }

    @Override
    public String toString() {
        return "SshCredentials[" + describe() + "]";
    }
}
