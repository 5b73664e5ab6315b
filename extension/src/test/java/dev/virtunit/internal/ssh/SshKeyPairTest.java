package dev.virtunit.internal.ssh;

import dev.virtunit.internal.host.Command;
import net.schmizz.sshj.userauth.keyprovider.OpenSSHKeyFile;
import net.schmizz.sshj.common.Buffer;
import net.schmizz.sshj.userauth.keyprovider.KeyProvider;
import net.schmizz.sshj.SSHClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class SshKeyPairTest {

    private final SshKeyPair key = SshKeyPair.generateEd25519("virtunit@test");

    @Test
    void publicKeyLineIsTypeBlobAndComment() {
        String[] parts = key.publicKeyLine().split(" ");

        assertThat(parts).hasSize(3);
        assertThat(parts[0]).isEqualTo("ssh-ed25519");
        assertThat(Base64.getDecoder().decode(parts[1])).isEqualTo(key.publicKeyBlob());
        assertThat(parts[2]).isEqualTo("virtunit@test");
        // 4-byte length + "ssh-ed25519" + 4-byte length + 32 key bytes
        assertThat(key.publicKeyBlob()).hasSize(4 + 11 + 4 + 32);
    }

    @Test
    void twoKeysDiffer() {
        assertThat(SshKeyPair.generateEd25519("a").publicKeyBlob()).isNotEqualTo(key.publicKeyBlob());
    }

    @Test
    void sshjLoadsThePrivateKeyAndDerivesTheSamePublicKey() throws Exception {
        KeyProvider provider = new SSHClient().loadKeys(key.privateKeyOpenSsh(), null, null);

        byte[] derived = new Buffer.PlainBuffer().putPublicKey(provider.getPublic()).getCompactData();
        assertThat(derived).isEqualTo(key.publicKeyBlob());
        assertThat(provider.getPrivate().getAlgorithm()).containsIgnoringCase("ed");
    }

    @Test
    void opensshReadsThePrivateKeyAndAgreesOnPublicKeyAndFingerprint(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/ssh-keygen")), "ssh-keygen (openssh-client) not installed");
        Path file = dir.resolve("id_ed25519");
        Files.writeString(file, key.privateKeyOpenSsh());
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));

        String publicFromOpenSsh = Command.check(Duration.ofSeconds(10), "ssh-keygen", "-y", "-f", file.toString()).stdout();
        String fingerprint = Command.check(Duration.ofSeconds(10), "ssh-keygen", "-l", "-E", "sha256", "-f", file.toString()).stdout();

        assertThat(publicFromOpenSsh.strip()).startsWith(key.publicKeyLine().substring(0, key.publicKeyLine().lastIndexOf(' ')));
        assertThat(fingerprint).contains(key.sha256Fingerprint()).contains("virtunit@test");
    }

    @Test
    void privateKeyIsWellFormedPem() {
        String pem = key.privateKeyOpenSsh();

        assertThat(pem).startsWith("-----BEGIN OPENSSH PRIVATE KEY-----\n").endsWith("-----END OPENSSH PRIVATE KEY-----\n");
        assertThat(pem.lines().skip(1).filter(line -> !line.startsWith("-----"))).allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(70));
        assertThat(new OpenSSHKeyFile()).isNotNull();
    }

    @Test
    void toStringNeverShowsThePrivateKey() {
        assertThat(key.toString()).contains(key.sha256Fingerprint()).doesNotContain("PRIVATE");
    }
}
