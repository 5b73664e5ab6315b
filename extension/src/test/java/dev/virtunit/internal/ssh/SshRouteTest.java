package dev.virtunit.internal.ssh;

import dev.virtunit.VirtunitException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link SshRoute} and {@link SshJump} where no SSH server is needed: a target names its route in every address, keeps
 * it through each {@code with...}, and a jump host that does not answer is a failure naming it, not a closed port.
 * The jump host is a loopback port nothing listens on.
 */
class SshRouteTest {

    private static final SshKeyPair CLIENT = SshKeyPair.generateEd25519("virtunit@test");
    private static final SshKeyPair HOST = SshKeyPair.generateEd25519("host@test");

    @TempDir
    Path dir;

    private int closedPort;
    private SshHostCommands host;

    @BeforeEach
    void hostThatIsNotThere() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        host = SshHostCommands.withKeyFile("root", "127.0.0.1", closedPort, dir.resolve("id"),
                Files.createFile(dir.resolve("known_hosts")));
    }

    @AfterEach
    void close() {
        host.close();
    }

    private String jumpHost() {
        return "root@127.0.0.1:" + closedPort;
    }

    private SshTarget guest() {
        return SshTarget.of("10.77.0.2", 22, "root", CLIENT, HOST.sha256Fingerprint()).withRoute(SshRoute.via(host.jump()));
    }

    @Test
    void aDirectTargetReadsAsBefore() {
        SshTarget direct = SshTarget.of("10.77.0.2", 22, "root", CLIENT, HOST.sha256Fingerprint());

        assertThat(direct.route()).isSameAs(SshRoute.direct());
        assertThat(direct.address()).isEqualTo("root@10.77.0.2:22");
        assertThat(direct.hostPort()).isEqualTo("10.77.0.2:22");
        assertThat(SshRoute.direct().described()).isEmpty();
        assertThat(SshRoute.direct().jump()).isEmpty();
    }

    @Test
    void aTargetThroughAJumpNamesItAndKeepsItThroughEveryChange() {
        SshTarget changed = guest().withUser("alice").withConnectTimeout(Duration.ofSeconds(3))
                .withCommandTimeout(Duration.ofSeconds(4)).withPrivateKeyFile(Path.of("/tmp/k"))
                .withHostKeyFingerprint(HOST.sha256Fingerprint()).withClientKey(CLIENT);

        assertThat(guest().address()).isEqualTo("root@10.77.0.2:22 via " + jumpHost());
        assertThat(guest().hostPort()).isEqualTo("10.77.0.2:22 via " + jumpHost());
        assertThat(changed.address()).isEqualTo("alice@10.77.0.2:22 via " + jumpHost());
        assertThat(host.jump().address()).isEqualTo(jumpHost()).isEqualTo(host.address());
        assertThat(SshRoute.via(host.jump())).hasToString("via " + jumpHost()).isEqualTo(SshRoute.via(host.jump()))
                .isNotEqualTo(SshRoute.direct());
        assertThat(new SshjSsh(changed).commandLine()).isEqualTo("ssh -i /tmp/k -J " + jumpHost() + " alice@10.77.0.2");
    }

    @Test
    void anIpv6JumpHostIsWrittenInBrackets() {
        SshHostCommands v6 = SshHostCommands.withKeyFile("root", "fd00::5", 2222, dir.resolve("id"),
                dir.resolve("known_hosts"));

        assertThat(guest().withRoute(SshRoute.via(v6.jump())).address()).isEqualTo("root@10.77.0.2:22 via root@[fd00::5]:2222");
        v6.close();
    }

    @Test
    void aJumpHostThatDoesNotAnswerIsAFailureNamingItNotAClosedPort() {
        assertThatThrownBy(() -> host.jump().portOpen("10.77.0.2", 22))
                .isInstanceOf(VirtunitException.class)
                .hasMessageStartingWith("the jump host " + jumpHost() + " cannot be used to reach 10.77.0.2:22: cannot "
                        + "connect to 127.0.0.1:" + closedPort + " within 20s: ")
                .hasMessageContaining("Connection refused");
    }

    @Test
    void aLoginThroughAJumpHostThatDoesNotAnswerNamesBoth() {
        SshjSsh ssh = new SshjSsh(guest());

        assertThatThrownBy(() -> ssh.exec("true"))
                .isInstanceOf(VirtunitException.class)
                .hasMessageStartingWith("cannot connect to 10.77.0.2:22 via " + jumpHost() + ": the jump host "
                        + jumpHost() + " cannot be used to reach 10.77.0.2:22: cannot connect to 127.0.0.1:"
                        + closedPort + " within 20s: ");
        ssh.close();
    }
}
