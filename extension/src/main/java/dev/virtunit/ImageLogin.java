package dev.virtunit;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The login an image without a seed ({@link Seed#NONE}) already has. virtunit puts nothing into such a guest, so SSH
 * logs in as {@link GuestSpec#user()} with the image's own private key or password (the key is offered first), and
 * its host key is the pinned one or the first one seen. {@link GuestSpecBuilder#login(ImageLogin)} takes it; the
 * annotation form is {@code @LibvirtGuest(identityFile = ..., password = ..., hostKey = ...)}. A seeded guest has no
 * use for it: virtunit logs in with its own key and verifies the host key it injected, so the spec refuses one.
 *
 * @param identityFile the unencrypted private key the image accepts; empty: none
 * @param password     the password the user already has in the image; empty: none
 * @param hostKey      the {@code SHA256:...} fingerprint its host key must have; empty: trusted on first use, logged,
 *                     and required for the rest of the guest's life, reboots included
 * @since 0.4
 */
public record ImageLogin(Optional<Path> identityFile, Optional<String> password, Optional<String> hostKey) {

    /** No login: nothing to log in with (fine with {@code awaitSsh = false}), the host key trusted on first use. */
    public static final ImageLogin NONE = new ImageLogin(Optional.empty(), Optional.empty(), Optional.empty());

    /**
     * Checks that no component is null.
     *
     * @param identityFile the unencrypted private key the image accepts; empty: none
     * @param password     the password the user already has in the image; empty: none
     * @param hostKey      the {@code SHA256:...} fingerprint its host key must have; empty: trusted on first use
     */
    public ImageLogin {
        Objects.requireNonNull(identityFile, "identityFile");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(hostKey, "hostKey");
    }

    /**
     * A login with the private key the image accepts.
     *
     * @param privateKey an unencrypted private key file
     * @return the login
     */
    public static ImageLogin ofIdentityFile(Path privateKey) {
        return NONE.withIdentityFile(Objects.requireNonNull(privateKey, "privateKey"));
    }

    /**
     * A login with the password the user already has in the image.
     *
     * @param password the password
     * @return the login
     */
    public static ImageLogin ofPassword(String password) {
        return NONE.withPassword(Objects.requireNonNull(password, "password"));
    }

    /**
     * This login with another private key.
     *
     * @param privateKey an unencrypted private key file; null: none
     * @return a new login
     */
    public ImageLogin withIdentityFile(Path privateKey) {
        return new ImageLogin(Optional.ofNullable(privateKey), password, hostKey);
    }

    /**
     * This login with another password, tried after the identity file.
     *
     * @param password the password; null: none
     * @return a new login
     */
    public ImageLogin withPassword(String password) {
        return new ImageLogin(identityFile, Optional.ofNullable(password), hostKey);
    }

    /**
     * This login with the host key pinned.
     *
     * @param sha256Fingerprint {@code SHA256:...} as {@code ssh-keygen -lf key.pub} prints it; null: trusted on first
     *                          use
     * @return a new login
     */
    public ImageLogin withHostKey(String sha256Fingerprint) {
        return new ImageLogin(identityFile, password, Optional.ofNullable(sha256Fingerprint));
    }

    /** {@return whether there is anything to log in with: an identity file or a password} */
    public boolean hasCredentials() {
        return identityFile.isPresent() || password.isPresent();
    }

    /** The password is left out: a spec is logged, and an image's password is still a password. */
    @Override
    public String toString() {
        return "ImageLogin[identityFile=" + identityFile.map(Path::toString).orElse("none") + ", password="
                + (password.isPresent() ? "(given)" : "none") + ", hostKey=" + hostKey.orElse("trusted on first use")
                + "]";
    }
}
