package dev.virtunit.internal.ssh;

import dev.virtunit.VirtunitException;

import java.util.List;

/**
 * Accepts only the host key an image without a seed was declared to have ({@code hostKey = "SHA256:..."}). The key
 * was baked into the image, so waiting cannot change it: a mismatch is {@link HostKeyRejectedException final}.
 * One instance serves one connection attempt.
 */
final class PinnedHostKeyVerifier extends PresentedKeyVerifier.Expected {

    PinnedHostKeyVerifier(String pinnedFingerprint) {
        super(pinnedFingerprint);
    }

    /** The pin names no algorithm: the server's own preference, as sshj orders them (Ed25519 first), decides. */
    @Override
    public List<String> findExistingAlgorithms(String hostname, int port) {
        return List.of();
    }

    @Override
    VirtunitException mismatch(String hostPort, Throwable cause) {
        return new HostKeyRejectedException("host key mismatch for " + hostPort + ": hostKey pins " + expectedFingerprint
                + " but the server presented " + presented() + ". Another machine answers on that address, or the "
                + "image has another host key than the pin (was it made anew at first boot?): check the image's "
                + "key with ssh-keygen -lf, and pin that", cause);
    }
}
