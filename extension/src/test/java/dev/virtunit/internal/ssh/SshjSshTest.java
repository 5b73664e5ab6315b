package dev.virtunit.internal.ssh;

import dev.virtunit.VirtunitException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link SshjSsh} where no SSH server is needed, or where the point is that none answers. */
class SshjSshTest {

    private static final SshKeyPair CLIENT = SshKeyPair.generateEd25519("virtunit@test");
    private static final SshKeyPair HOST = SshKeyPair.generateEd25519("host@test");

    private static SshTarget target(String host, int port) {
        return SshTarget.of(host, port, "root", CLIENT, HOST.sha256Fingerprint());
    }

    @Test
    void commandLineWithAKeyFile() {
        SshjSsh ssh = new SshjSsh(target("192.168.77.10", 22).withPrivateKeyFile(Path.of("/tmp/vu-1a2b/id_ed25519")));

        assertThat(ssh.commandLine()).isEqualTo("ssh -i /tmp/vu-1a2b/id_ed25519 root@192.168.77.10");
    }

    @Test
    void commandLineNamesAnOtherPortAndQuotesOddPaths() {
        SshjSsh ssh = new SshjSsh(target("127.0.0.1", 2222).withPrivateKeyFile(Path.of("/tmp/my keys/id")));

        assertThat(ssh.commandLine()).isEqualTo("ssh -i '/tmp/my keys/id' -p 2222 root@127.0.0.1");
    }

    @Test
    void commandLineWithoutAKeyFileSaysTheKeyIsInMemory() {
        SshjSsh ssh = new SshjSsh(target("192.168.77.10", 22));

        assertThat(ssh.commandLine()).isEqualTo("ssh root@192.168.77.10 (not usable as is: virtunit's client key "
                + CLIENT.sha256Fingerprint() + " lives in memory only; give the SshTarget a privateKeyFile to get a "
                + "command line with -i)");
    }

    @Test
    void accessorsComeFromTheTarget() {
        SshjSsh ssh = new SshjSsh(target("192.168.77.10", 2222));

        assertThat(ssh.user()).isEqualTo("root");
        assertThat(ssh.host()).isEqualTo("192.168.77.10");
        assertThat(ssh.port()).isEqualTo(2222);
        assertThat(ssh).hasToString("SshjSsh[root@192.168.77.10:2222]");
    }

    @Test
    void nothingListeningIsACleanConnectFailure() throws IOException {
        int port = DropbearServer.freeLoopbackPort();
        SshjSsh ssh = new SshjSsh(target("127.0.0.1", port));

        assertThatThrownBy(() -> ssh.exec("true"))
                .isInstanceOf(VirtunitException.class)
                .hasMessageStartingWith("cannot connect to 127.0.0.1:" + port + " within " + SshTarget.DEFAULT_CONNECT_TIMEOUT.toSeconds() + "s: ")
                .hasMessageContaining("Connection refused");
    }

    @Test
    void aServerThatNeverGreetsTimesOut() throws IOException {
        // The kernel completes the TCP handshake for a listening socket even if nobody accepts: a silent server.
        try (ServerSocket silent = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            SshjSsh ssh = new SshjSsh(target("127.0.0.1", silent.getLocalPort()).withConnectTimeout(Duration.ofMillis(300)));

            assertThatThrownBy(ssh::connect)
                    .isInstanceOf(VirtunitException.class)
                    .hasMessageStartingWith("cannot connect to 127.0.0.1:" + silent.getLocalPort() + " within 300ms: ")
                    .hasMessageContaining("timed out");
        }
    }

    @Test
    void localPathsAreCheckedBeforeConnecting(@TempDir Path dir) {
        SshjSsh ssh = new SshjSsh(target("192.0.2.1", 22));

        assertThatThrownBy(() -> ssh.upload(dir.resolve("missing.bin"), "/root/x.bin"))
                .isInstanceOf(VirtunitException.class)
                .hasMessage("cannot upload " + dir.resolve("missing.bin") + " to root@192.0.2.1:22:/root/x.bin: there is "
                        + "no local file " + dir.resolve("missing.bin"));
        assertThatThrownBy(() -> ssh.download("/etc/hostname", dir.resolve("no/such/dir/hostname")))
                .isInstanceOf(VirtunitException.class)
                .hasMessage("cannot download root@192.0.2.1:22:/etc/hostname to " + dir.resolve("no/such/dir/hostname")
                        + ": there is no local directory " + dir.resolve("no/such/dir"));
    }

    @Test
    void targetsAreValidated() {
        assertThatThrownBy(() -> target("10.0.0.1", 0)).hasMessage("SSH port 0 of 10.0.0.1 is not between 1 and 65535");
        assertThatThrownBy(() -> SshTarget.of("10.0.0.1", 22, "root", CLIENT, "ab:cd:ef"))
                .hasMessage("host key fingerprint [ab:cd:ef] of 10.0.0.1 must be in the form SHA256:<base64>, as "
                        + "SshKeyPair.sha256Fingerprint() gives it");
        assertThatThrownBy(() -> target("10.0.0.1", 22).withCommandTimeout(Duration.ZERO))
                .hasMessage("commandTimeout must be positive, got PT0S");
        assertThat(target("fd00::2", 22).address()).isEqualTo("root@[fd00::2]:22");
        assertThat(target("fd00::2", 2222).hostPort()).isEqualTo("[fd00::2]:2222");
    }
}
