package dev.virtunit.internal.ssh;

import dev.virtunit.VirtunitException;
import net.schmizz.sshj.common.Buffer;
import net.schmizz.sshj.common.KeyType;
import net.schmizz.sshj.transport.verification.HostKeyVerifier;

import java.security.PublicKey;

/**
 * A host key check for one connection attempt that remembers what the server presented, so that a rejection can
 * name both keys. Subclasses decide which key is right ({@link #accepts}) and how to explain a wrong one.
 */
abstract class PresentedKeyVerifier implements HostKeyVerifier {

    private volatile String presented;
    private volatile boolean accepted;

    @Override
    public final boolean verify(String hostname, int port, PublicKey key) {
        String type = KeyType.fromKey(key).toString();
        String fingerprint = SshKeyPair.sha256Fingerprint(new Buffer.PlainBuffer().putPublicKey(key).getCompactData());
        presented = type + " " + fingerprint;
        accepted = accepts(type, fingerprint);
        return accepted;
    }

    /** Whether the key of this type ({@code ssh-ed25519}) and {@code SHA256:...} fingerprint is the right one. */
    abstract boolean accepts(String type, String fingerprint);

    /** The failure to report when {@link #rejected()}: both fingerprints and what usually causes it. */
    abstract VirtunitException mismatch(String hostPort, Throwable cause);

    /** Whether a server presented a key and it was not the right one. */
    final boolean rejected() {
        return presented != null && !accepted;
    }

    /** {@code ssh-ed25519 SHA256:...}: the key type and fingerprint the server presented last, or null. */
    final String presented() {
        return presented;
    }

    /** A check against a fingerprint known before connecting. */
    abstract static class Expected extends PresentedKeyVerifier {
        final String expectedFingerprint;

        Expected(String expectedFingerprint) {
            this.expectedFingerprint = expectedFingerprint;
        }

        @Override
        final boolean accepts(String type, String fingerprint) {
            return sameFingerprint(fingerprint, expectedFingerprint);
        }
    }

    /** Fingerprints compared as {@code ssh-keygen} prints them: base64 padding is optional. */
    static boolean sameFingerprint(String a, String b) {
        return a.replaceAll("=+$", "").equals(b.replaceAll("=+$", ""));
    }
}
