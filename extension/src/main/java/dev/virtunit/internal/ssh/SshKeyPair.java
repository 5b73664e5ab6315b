package dev.virtunit.internal.ssh;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

/**
 * An Ed25519 key pair in the two text forms OpenSSH, dropbear, cloud-init and sshj all read: the one-line
 * public key ({@code ssh-ed25519 AAAA... comment}) and the {@code openssh-key-v1} private key.
 *
 * <p>Made in memory with the JDK's own Ed25519, so a run needs no {@code ssh-keygen} and no key ever touches
 * the disk unless a caller writes it. virtunit makes one for the client per run and one per guest as its host
 * key, which it injects through cloud-init; that is what lets SSH verify host keys for real.
 */
public final class SshKeyPair {

    private static final String KEY_TYPE = "ssh-ed25519";
    private static final int KEY_LENGTH = 32;

    private final byte[] publicKey;
    private final byte[] privateSeed;
    private final String comment;
    /** OpenSSH's random "checkint"; fixed per key so the private key text is the same every time it is asked for. */
    private final int checkInt = new SecureRandom().nextInt();

    private SshKeyPair(byte[] publicKey, byte[] privateSeed, String comment) {
        this.publicKey = publicKey;
        this.privateSeed = privateSeed;
        this.comment = comment;
    }

    /** A fresh key pair; {@code comment} ends up after the public key, e.g. {@code virtunit@run-1a2b}. */
    public static SshKeyPair generateEd25519(String comment) {
        try {
            KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            // The JDK encodes Ed25519 keys as X.509 / PKCS#8 with the 32 raw bytes at the end of each.
            byte[] x509 = pair.getPublic().getEncoded();
            byte[] pkcs8 = pair.getPrivate().getEncoded();
            return new SshKeyPair(Arrays.copyOfRange(x509, x509.length - KEY_LENGTH, x509.length),
                    Arrays.copyOfRange(pkcs8, pkcs8.length - KEY_LENGTH, pkcs8.length), comment);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK cannot generate Ed25519 keys (Java 15+ can)", e);
        }
    }

    /** {@code ssh-ed25519 <base64> <comment>}: the line for authorized_keys and for cloud-init's {@code ssh_keys}. */
    public String publicKeyLine() {
        return KEY_TYPE + " " + Base64.getEncoder().encodeToString(publicKeyBlob()) + " " + comment;
    }

    /** The public key in SSH wire format, as a server presents it during key exchange. */
    public byte[] publicKeyBlob() {
        SshWire wire = new SshWire();
        wire.string(KEY_TYPE);
        wire.bytes(publicKey);
        return wire.toByteArray();
    }

    /** {@code SHA256:<base64 without padding>}, the fingerprint {@code ssh-keygen -lf} prints and sshj verifies. */
    public String sha256Fingerprint() {
        return sha256Fingerprint(publicKeyBlob());
    }

    /** The {@code SHA256:...} fingerprint of any public key in SSH wire format, e.g. one a server presented. */
    static String sha256Fingerprint(byte[] publicKeyBlob) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(publicKeyBlob);
            return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    /** The unencrypted private key in OpenSSH's {@code openssh-key-v1} PEM form. */
    public String privateKeyOpenSsh() {
        SshWire secret = new SshWire();
        secret.uint32(checkInt);
        secret.uint32(checkInt);
        secret.string(KEY_TYPE);
        secret.bytes(publicKey);
        byte[] seedAndPublic = new byte[2 * KEY_LENGTH];
        System.arraycopy(privateSeed, 0, seedAndPublic, 0, KEY_LENGTH);
        System.arraycopy(publicKey, 0, seedAndPublic, KEY_LENGTH, KEY_LENGTH);
        secret.bytes(seedAndPublic);
        secret.string(comment);
        // Unencrypted keys are padded to the "none" cipher's block size of 8 with the bytes 1, 2, 3, ...
        for (int pad = 1; secret.size() % 8 != 0; pad++) {
            secret.raw(new byte[] {(byte) pad});
        }

        SshWire file = new SshWire();
        file.raw("openssh-key-v1\0".getBytes(StandardCharsets.US_ASCII));
        file.string("none");
        file.string("none");
        file.string("");
        file.uint32(1);
        file.bytes(publicKeyBlob());
        file.bytes(secret.toByteArray());

        String body = Base64.getMimeEncoder(70, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(file.toByteArray());
        return "-----BEGIN OPENSSH PRIVATE KEY-----\n" + body + "\n-----END OPENSSH PRIVATE KEY-----\n";
    }

    public String comment() {
        return comment;
    }

    @Override
    public String toString() {
        // Never print the private half.
        return "SshKeyPair[" + KEY_TYPE + " " + sha256Fingerprint() + " " + comment + "]";
    }

    /** SSH's length-prefixed binary encoding (RFC 4251 section 5). */
    private static final class SshWire {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        void uint32(int value) {
            out.write(value >>> 24);
            out.write(value >>> 16);
            out.write(value >>> 8);
            out.write(value);
        }

        void bytes(byte[] value) {
            uint32(value.length);
            raw(value);
        }

        void string(String value) {
            bytes(value.getBytes(StandardCharsets.UTF_8));
        }

        void raw(byte[] value) {
            out.writeBytes(value);
        }

        int size() {
            return out.size();
        }

        byte[] toByteArray() {
            return out.toByteArray();
        }
    }
}
