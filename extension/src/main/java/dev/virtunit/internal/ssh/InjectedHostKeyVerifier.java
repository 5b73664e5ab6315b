package dev.virtunit.internal.ssh;

import dev.virtunit.VirtunitException;
import net.schmizz.sshj.common.Buffer;
import net.schmizz.sshj.common.KeyType;
import net.schmizz.sshj.transport.verification.FingerprintVerifier;
import net.schmizz.sshj.transport.verification.HostKeyVerifier;

import java.security.PublicKey;
import java.util.List;

/**
 * Accepts only the host key virtunit injected into the guest, named by its fingerprint, and remembers what the
 * server presented so that a mismatch can name both keys. One instance serves one connection attempt.
 *
 * <p>virtunit's host keys are Ed25519 ({@link SshKeyPair}), so that algorithm is asked for first: a guest with
 * older RSA or ECDSA keys besides it must still show the key we know.
 */
final class InjectedHostKeyVerifier implements HostKeyVerifier {

    private final String expectedFingerprint;
    private final HostKeyVerifier fingerprintCheck;
    private volatile String presented;
    private volatile boolean accepted;

    /** @param expectedFingerprint {@code SHA256:...}, as {@link SshKeyPair#sha256Fingerprint()} gives it */
    InjectedHostKeyVerifier(String expectedFingerprint) {
        this.expectedFingerprint = expectedFingerprint;
        this.fingerprintCheck = FingerprintVerifier.getInstance(expectedFingerprint);
    }

    @Override
    public boolean verify(String hostname, int port, PublicKey key) {
        presented = KeyType.fromKey(key) + " "
                + SshKeyPair.sha256Fingerprint(new Buffer.PlainBuffer().putPublicKey(key).getCompactData());
        accepted = fingerprintCheck.verify(hostname, port, key);
        return accepted;
    }

    @Override
    public List<String> findExistingAlgorithms(String hostname, int port) {
        return List.of(KeyType.ED25519.toString());
    }

    /** Whether a server presented a key and it was not the injected one. */
    boolean rejected() {
        return presented != null && !accepted;
    }

    /** {@code ssh-ed25519 SHA256:...}: the key type and fingerprint the server presented last, or null. */
    String presented() {
        return presented;
    }

    /** The failure to report when {@link #rejected()}: both fingerprints and what usually causes it. */
    VirtunitException mismatch(String hostPort, Throwable cause) {
        return new VirtunitException("host key mismatch for " + hostPort + ": expected " + expectedFingerprint
                + " but the server presented " + presented + ". Something other than the guest virtunit configured "
                + "answers on that address, or the guest did not take the host key virtunit injected (did cloud-init "
                + "run?)", cause);
    }
}
