package dev.virtunit.internal.ssh;

import dev.virtunit.VirtunitException;

import java.util.List;

/**
 * Trust on first use: the first host key a guest presents is accepted and remembered in its
 * {@link HostKeyPolicy.FirstUse}, which lives as long as the guest; every later connection, after a reboot too, must
 * present that same key. One instance serves one connection attempt.
 */
final class FirstUseHostKeyVerifier extends PresentedKeyVerifier {

    private final HostKeyPolicy.FirstUse trust;

    FirstUseHostKeyVerifier(HostKeyPolicy.FirstUse trust) {
        this.trust = trust;
    }

    @Override
    boolean accepts(String type, String fingerprint) {
        return trust.acceptFirstOrCompare(type, fingerprint);
    }

    /** Once a key is trusted, its algorithm is asked for first, so a server with several keys shows the same one. */
    @Override
    public List<String> findExistingAlgorithms(String hostname, int port) {
        return trust.trustedType().map(List::of).orElse(List.of());
    }

    @Override
    VirtunitException mismatch(String hostPort, Throwable cause) {
        return new HostKeyRejectedException("host key of " + hostPort + " changed: " + trust.trustedDescription()
                + " was trusted on first use, but now the server presents " + presented() + ". The image made a new "
                + "host key (at boot?), or another machine answers on that address; give the image a fixed host key "
                + "and pin it with hostKey", cause);
    }
}
