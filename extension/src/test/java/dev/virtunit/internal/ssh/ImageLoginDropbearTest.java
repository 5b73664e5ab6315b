package dev.virtunit.internal.ssh;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static dev.virtunit.assertions.VirtunitAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Logging in to an image without a seed, against a real dropbear on loopback: the private key file the image
 * accepts, the host key pinned or trusted on first use, and the final failures that end readiness at once.
 */
class ImageLoginDropbearTest {

    private final SshKeyPair hostKey = SshKeyPair.generateEd25519("root@appliance");
    private final SshKeyPair imageKey = SshKeyPair.generateEd25519("baked-into-the-image");
    private final String user = System.getProperty("user.name");

    @TempDir
    Path dir;

    private DropbearServer server;
    private Path identityFile;

    @BeforeEach
    void startServer() throws Exception {
        server = DropbearServer.startOrSkip(dir, hostKey, imageKey);
        identityFile = Files.writeString(dir.resolve("id_ed25519"), imageKey.privateKeyOpenSsh());
    }

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.stop();
        }
    }

    private SshTarget target(Optional<Path> keyFile, HostKeyPolicy policy) {
        return new SshTarget("127.0.0.1", server.port(), user, SshCredentials.ofImage(keyFile, Optional.empty()), policy,
                SshTarget.DEFAULT_CONNECT_TIMEOUT, SshTarget.DEFAULT_COMMAND_TIMEOUT, keyFile.orElse(null));
    }

    @Test
    void theImagesKeyFileLogsInWithThePinnedHostKey() {
        try (SshjSsh ssh = new SshjSsh(target(Optional.of(identityFile), HostKeyPolicy.pinned(hostKey.sha256Fingerprint())))) {
            assertThat(ssh.exec("echo in")).succeeded().hasStdout("in");
            assertThat(ssh.commandLine()).isEqualTo("ssh -i " + identityFile + " -p " + server.port() + " " + user
                    + "@127.0.0.1");
        }
    }

    @Test
    void firstUseTrustsTheServersKeyAndKeepsItAcrossConnections() {
        HostKeyPolicy.FirstUse trust = HostKeyPolicy.trustOnFirstUse("vu-test");
        try (SshjSsh first = new SshjSsh(target(Optional.of(identityFile), trust))) {
            assertThat(first.exec("true")).succeeded();
        }
        assertThat(trust.fingerprint()).contains(hostKey.sha256Fingerprint());
        try (SshjSsh second = new SshjSsh(target(Optional.of(identityFile), trust))) {
            assertThat(second.exec("true")).succeeded();
        }
    }

    @Test
    void aWrongPinIsAFinalRejection() {
        String wrong = SshKeyPair.generateEd25519("other").sha256Fingerprint();
        try (SshjSsh ssh = new SshjSsh(target(Optional.of(identityFile), HostKeyPolicy.pinned(wrong)))) {
            assertThatThrownBy(ssh::connect).isInstanceOf(HostKeyRejectedException.class)
                    .hasMessageStartingWith("host key mismatch for 127.0.0.1:" + server.port() + ": hostKey pins " + wrong
                            + " but the server presented ssh-ed25519 " + hostKey.sha256Fingerprint() + ".");
        }
    }

    @Test
    void aKeyTheImageDoesNotAcceptIsAFinalRefusalNamingWhatWasOffered() throws Exception {
        Path stranger = Files.writeString(dir.resolve("stranger"), SshKeyPair.generateEd25519("x").privateKeyOpenSsh());
        try (SshjSsh ssh = new SshjSsh(target(Optional.of(stranger), HostKeyPolicy.pinned(hostKey.sha256Fingerprint())))) {
            assertThatThrownBy(ssh::connect).isInstanceOf(LoginRefusedException.class)
                    .hasMessage("SSH login refused: 127.0.0.1:" + server.port() + " did not accept user " + user
                            + " with identity file " + stranger + ". The image has no seed, so it must already accept "
                            + "that login: is the user right, is the key's public half in its ~/.ssh/authorized_keys, "
                            + "does its SSH server allow passwords?");
        }
    }

    @Test
    void aFileThatIsNoKeySaysSo() throws Exception {
        Path garbage = Files.writeString(dir.resolve("garbage"), "-----BEGIN OPENSSH PRIVATE KEY-----\nnope\n");
        try (SshjSsh ssh = new SshjSsh(target(Optional.of(garbage), HostKeyPolicy.pinned(hostKey.sha256Fingerprint())))) {
            assertThatThrownBy(ssh::connect).hasMessageStartingWith("cannot read the private key " + garbage
                    + " to log in to 127.0.0.1:" + server.port() + ": ")
                    .hasMessageEndingWith(". Give an unencrypted OpenSSH or PEM private key");
        }
    }
}
