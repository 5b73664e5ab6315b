package dev.virtunit.internal.ssh;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a login offers, in the order it is tried: virtunit's in-memory client key (the seed put its public half in the
 * guest), a private key file the image already accepts, a password the image already has. At least one.
 *
 * @since 0.2
 */
public record SshCredentials(Optional<SshKeyPair> clientKey, Optional<Path> identityFile, Optional<String> password) {

    public SshCredentials {
        Objects.requireNonNull(clientKey, "clientKey");
        Objects.requireNonNull(identityFile, "identityFile");
        Objects.requireNonNull(password, "password");
        if (clientKey.isEmpty() && identityFile.isEmpty() && password.isEmpty()) {
            throw new IllegalArgumentException("an SSH login needs a client key, an identity file or a password");
        }
    }

    /** virtunit's own client key, whose public half the seed put into the guest. */
    public static SshCredentials key(SshKeyPair clientKey) {
        return new SshCredentials(Optional.of(clientKey), Optional.empty(), Optional.empty());
    }

    /** What an image without a seed already accepts: a private key file, a password, or both. */
    public static SshCredentials ofImage(Optional<Path> identityFile, Optional<String> password) {
        return new SshCredentials(Optional.empty(), identityFile, password);
    }

    /** {@code client key SHA256:..., identity file /k, a password}: what was offered, for messages; never the password. */
    public String describe() {
        List<String> offered = new ArrayList<>();
        clientKey.ifPresent(key -> offered.add("client key " + key.sha256Fingerprint()));
        identityFile.ifPresent(file -> offered.add("identity file " + file));
        password.ifPresent(p -> offered.add("a password"));
        return String.join(", ", offered);
    }

    @Override
    public String toString() {
        return "SshCredentials[" + describe() + "]";
    }
}
