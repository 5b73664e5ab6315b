package dev.virtunit.internal.ssh;

import dev.virtunit.VirtunitException;
import net.schmizz.sshj.common.KeyType;

import java.util.List;

/**
 * Accepts only the host key virtunit injected into the guest, named by its fingerprint, and remembers what the
 * server presented so that a mismatch can name both keys. One instance serves one connection attempt.
 *
 * <p>virtunit's host keys are Ed25519 ({@link SshKeyPair}), so that algorithm is asked for first: a guest with
 * older RSA or ECDSA keys besides it must still show the key we know.
 */
final class InjectedHostKeyVerifier extends PresentedKeyVerifier.Expected {

    /** @param expectedFingerprint {@code SHA256:...}, as {@link SshKeyPair#sha256Fingerprint()} gives it */
    InjectedHostKeyVerifier(String expectedFingerprint) {
        super(expectedFingerprint);
    }

    @Override
    public List<String> findExistingAlgorithms(String hostname, int port) {
        return List.of(KeyType.ED25519.toString());
    }

    @Override
    VirtunitException mismatch(String hostPort, Throwable cause) {
        return new VirtunitException("host key mismatch for " + hostPort + ": expected " + expectedFingerprint
                + " but the server presented " + presented() + ". Something other than the guest virtunit configured "
                + "answers on that address, or the guest did not take the host key virtunit injected (did cloud-init "
                + "run?)", cause);
    }
}
