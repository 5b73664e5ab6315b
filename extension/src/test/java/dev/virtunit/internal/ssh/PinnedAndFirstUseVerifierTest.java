package dev.virtunit.internal.ssh;

import dev.virtunit.VirtunitException;
import net.schmizz.sshj.common.Buffer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The host key checks for images without a seed: a pinned fingerprint, and trust on first use. */
class PinnedAndFirstUseVerifierTest {

    private static final SshKeyPair BAKED_IN = SshKeyPair.generateEd25519("root@appliance");
    private static final SshKeyPair OTHER = SshKeyPair.generateEd25519("someone-else");

    private static PublicKey presentedBy(SshKeyPair key) throws Exception {
        return new Buffer.PlainBuffer(key.publicKeyBlob()).readPublicKey();
    }

    @Test
    void aPinAcceptsItsKeyWithOrWithoutBase64Padding() throws Exception {
        assertThat(new PinnedHostKeyVerifier(BAKED_IN.sha256Fingerprint()).verify("10.0.0.5", 22, presentedBy(BAKED_IN)))
                .isTrue();
        PinnedHostKeyVerifier padded = new PinnedHostKeyVerifier(BAKED_IN.sha256Fingerprint() + "=");

        assertThat(padded.verify("10.0.0.5", 22, presentedBy(BAKED_IN))).isTrue();
        assertThat(padded.rejected()).isFalse();
        assertThat(padded.findExistingAlgorithms("10.0.0.5", 22)).isEmpty();
    }

    @Test
    void aPinRejectsAnotherKeyWithAFinalMismatchNamingBoth() throws Exception {
        PinnedHostKeyVerifier verifier = new PinnedHostKeyVerifier(BAKED_IN.sha256Fingerprint());

        assertThat(verifier.verify("10.0.0.5", 22, presentedBy(OTHER))).isFalse();
        assertThat(verifier.rejected()).isTrue();
        IOException cause = new IOException("HOST_KEY_NOT_VERIFIABLE");
        VirtunitException mismatch = verifier.mismatch("10.0.0.5:22", cause);
        assertThat(mismatch).isInstanceOf(HostKeyRejectedException.class).hasCause(cause).hasMessage("host key mismatch "
                + "for 10.0.0.5:22: hostKey pins " + BAKED_IN.sha256Fingerprint() + " but the server presented "
                + "ssh-ed25519 " + OTHER.sha256Fingerprint() + ". Another machine answers on that address, or the image "
                + "has another host key than the pin (was it made anew at first boot?): check the image's key with "
                + "ssh-keygen -lf, and pin that");
    }

    @Test
    void firstUseTrustsTheFirstKeyThenRejectsAnotherNamingBoth() throws Exception {
        HostKeyPolicy.FirstUse trust = HostKeyPolicy.trustOnFirstUse("vu-1-appliance");
        assertThat(trust.fingerprint()).isEmpty();
        assertThat(trust.newVerifier().findExistingAlgorithms("10.0.0.5", 22)).isEmpty();

        PresentedKeyVerifier first = trust.newVerifier();
        assertThat(first.verify("10.0.0.5", 22, presentedBy(BAKED_IN))).isTrue();
        assertThat(trust.fingerprint()).contains(BAKED_IN.sha256Fingerprint());

        // A later connection (after a reboot, say) must show the same key, and asks for its algorithm first.
        PresentedKeyVerifier again = trust.newVerifier();
        assertThat(again.findExistingAlgorithms("10.0.0.5", 22)).containsExactly("ssh-ed25519");
        assertThat(again.verify("10.0.0.5", 22, presentedBy(BAKED_IN))).isTrue();
        PresentedKeyVerifier changed = trust.newVerifier();
        assertThat(changed.verify("10.0.0.5", 22, presentedBy(OTHER))).isFalse();
        assertThat(changed.rejected()).isTrue();
        assertThat(changed.mismatch("10.0.0.5:22", null)).isInstanceOf(HostKeyRejectedException.class)
                .hasMessage("host key of 10.0.0.5:22 changed: ssh-ed25519 " + BAKED_IN.sha256Fingerprint() + " was "
                        + "trusted on first use, but now the server presents ssh-ed25519 " + OTHER.sha256Fingerprint()
                        + ". The image made a new host key (at boot?), or another machine answers on that address; "
                        + "give the image a fixed host key and pin it with hostKey");
        assertThat(trust.fingerprint()).contains(BAKED_IN.sha256Fingerprint());
    }

    @Test
    void eachPolicyMakesItsOwnVerifier() {
        assertThat(HostKeyPolicy.injected(BAKED_IN.sha256Fingerprint()).newVerifier())
                .isInstanceOf(InjectedHostKeyVerifier.class);
        assertThat(HostKeyPolicy.pinned(BAKED_IN.sha256Fingerprint()).newVerifier())
                .isInstanceOf(PinnedHostKeyVerifier.class);
        assertThat(HostKeyPolicy.pinned(BAKED_IN.sha256Fingerprint()).fingerprint()).contains(BAKED_IN.sha256Fingerprint());
        assertThat(HostKeyPolicy.trustOnFirstUse("g").newVerifier()).isInstanceOf(FirstUseHostKeyVerifier.class);
    }

    @Test
    void credentialsNeverShowThePasswordAndNeedSomething() {
        SshCredentials offered = SshCredentials.ofImage(Optional.of(Path.of("/k/id")),
                Optional.of("hunter2"));

        assertThat(offered.describe()).isEqualTo("identity file /k/id, a password");
        assertThat(offered.toString()).doesNotContain("hunter2");
        assertThat(SshCredentials.key(BAKED_IN).describe()).isEqualTo("client key " + BAKED_IN.sha256Fingerprint());
        assertThatThrownBy(() -> SshCredentials.ofImage(Optional.empty(),
                Optional.empty())).hasMessage("an SSH login needs a client key, an identity file, an SSH agent or a password");
    }
}
