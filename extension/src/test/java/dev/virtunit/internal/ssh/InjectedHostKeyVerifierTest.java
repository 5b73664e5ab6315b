package dev.virtunit.internal.ssh;

import dev.virtunit.VirtunitException;
import net.schmizz.sshj.common.Buffer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.security.PublicKey;

import static org.assertj.core.api.Assertions.assertThat;

class InjectedHostKeyVerifierTest {

    private static final SshKeyPair INJECTED = SshKeyPair.generateEd25519("host@test");
    private static final SshKeyPair OTHER = SshKeyPair.generateEd25519("someone-else");

    private static PublicKey presentedBy(SshKeyPair key) throws Exception {
        return new Buffer.PlainBuffer(key.publicKeyBlob()).readPublicKey();
    }

    @Test
    void acceptsTheInjectedKey() throws Exception {
        InjectedHostKeyVerifier verifier = new InjectedHostKeyVerifier(INJECTED.sha256Fingerprint());

        assertThat(verifier.verify("192.168.77.10", 22, presentedBy(INJECTED))).isTrue();
        assertThat(verifier.rejected()).isFalse();
        assertThat(verifier.presented()).isEqualTo("ssh-ed25519 " + INJECTED.sha256Fingerprint());
    }

    @Test
    void rejectsAnotherKeyAndNamesBothInTheMismatch() throws Exception {
        InjectedHostKeyVerifier verifier = new InjectedHostKeyVerifier(INJECTED.sha256Fingerprint());

        assertThat(verifier.verify("192.168.77.10", 22, presentedBy(OTHER))).isFalse();
        assertThat(verifier.rejected()).isTrue();
        IOException cause = new IOException("HOST_KEY_NOT_VERIFIABLE");
        VirtunitException mismatch = verifier.mismatch("192.168.77.10:22", cause);
        assertThat(mismatch).hasMessage("host key mismatch for 192.168.77.10:22: expected "
                + INJECTED.sha256Fingerprint() + " but the server presented ssh-ed25519 " + OTHER.sha256Fingerprint()
                + ". Something other than the guest virtunit configured answers on that address, or the guest did "
                + "not take the host key virtunit injected (did cloud-init run?)").hasCause(cause);
    }

    @Test
    void nothingPresentedIsNoRejection() {
        InjectedHostKeyVerifier verifier = new InjectedHostKeyVerifier(INJECTED.sha256Fingerprint());

        assertThat(verifier.rejected()).isFalse();
        assertThat(verifier.presented()).isNull();
    }

    @Test
    void asksForEd25519First() {
        assertThat(new InjectedHostKeyVerifier(INJECTED.sha256Fingerprint()).findExistingAlgorithms("h", 22))
                .containsExactly("ssh-ed25519");
    }
}
