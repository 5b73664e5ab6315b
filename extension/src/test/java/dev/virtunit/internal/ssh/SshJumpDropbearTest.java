package dev.virtunit.internal.ssh;

import dev.virtunit.VirtunitException;
import dev.virtunit.observe.ExecResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A guest's login through a remote host's SSH connection ({@link SshJump}), against two real dropbear servers on
 * loopback: one plays the remote libvirt host ({@link SshHostCommands}, key file and known_hosts), the other the
 * guest behind it (virtunit's client key, the injected host key). Login, commands, SFTP and port probes go through
 * the host's connection; each way the jump fails is named: the host down, the target refused, a target that never
 * greets; a refused target leaves the host's connection alone, and a host connection that died is opened again.
 */
class SshJumpDropbearTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private final SshKeyPair jumpHostKey = SshKeyPair.generateEd25519("host@jump-test");
    private final SshKeyPair guestHostKey = SshKeyPair.generateEd25519("guest@jump-test");
    private final SshKeyPair clientKey = SshKeyPair.generateEd25519("virtunit@jump-test");
    private final String user = System.getProperty("user.name");

    @TempDir
    Path dir;

    private DropbearServer jumpServer;
    private DropbearServer guestServer;
    private SshHostCommands host;
    private SshjSsh guest;

    @BeforeEach
    void startServers() throws Exception {
        jumpServer = DropbearServer.startOrSkip(Files.createDirectories(dir.resolve("host")), jumpHostKey, clientKey);
        guestServer = DropbearServer.startOrSkip(Files.createDirectories(dir.resolve("guest")), guestHostKey, clientKey);
        Path identityFile = Files.writeString(dir.resolve("id_ed25519"), clientKey.privateKeyOpenSsh());
        Files.setPosixFilePermissions(identityFile, PosixFilePermissions.fromString("rw-------"));
        Path knownHosts = Files.write(dir.resolve("known_hosts"),
                List.of("[127.0.0.1]:" + jumpServer.port() + " " + jumpHostKey.publicKeyLine()));
        host = SshHostCommands.withKeyFile(user, "127.0.0.1", jumpServer.port(), identityFile, knownHosts);
        guest = new SshjSsh(guestTarget(guestServer.port()));
    }

    @AfterEach
    void stopServers() {
        if (guest != null) {
            guest.close();
        }
        if (host != null) {
            host.close();
        }
        if (guestServer != null) {
            guestServer.stop();
        }
        if (jumpServer != null) {
            jumpServer.stop();
        }
    }

    private SshTarget guestTarget(int port) {
        return SshTarget.of("127.0.0.1", port, user, clientKey, guestHostKey.sha256Fingerprint())
                .withRoute(SshRoute.via(host.jump()));
    }

    private String jumpAddress() {
        return user + "@127.0.0.1:" + jumpServer.port();
    }

    /** How many logins the jump host's server let in so far: a new login is a new connection to the host. */
    private long hostLogins() {
        return jumpServer.log().lines().filter(line -> line.contains("auth succeeded")).count();
    }

    @Test
    void commandsGoThroughTheHostsConnectionAndMessagesNameTheRoute() {
        ExecResult result = guest.exec("echo $SSH_CONNECTION; exit 3");

        assertThat(result.exitCode()).isEqualTo(3);
        // The guest's server sees its client at the jump host's end: the address the host connects from.
        assertThat(result.stdout()).endsWith(" 127.0.0.1 " + guestServer.port() + "\n");
        assertThat(host.jump().address()).isEqualTo(jumpAddress());
        assertThat(guest.toString()).isEqualTo("SshjSsh[" + user + "@127.0.0.1:" + guestServer.port() + " via "
                + jumpAddress() + "]");
        assertThat(guest.commandLine()).startsWith("ssh -J " + jumpAddress() + " -p " + guestServer.port() + " " + user
                + "@127.0.0.1 ");
        assertThatThrownBy(() -> guest.exec("sleep 5", Duration.ofSeconds(1)))
                .hasMessageStartingWith("`sleep 5` on " + user + "@127.0.0.1:" + guestServer.port() + " via "
                        + jumpAddress() + " did not finish within 1s");
    }

    @Test
    void filesGoBothWaysOverSftpThroughTheHost() throws Exception {
        assumeTrue(DropbearServer.hasSftpServer(), "skipped: no /usr/lib/sftp-server for dropbear's SFTP subsystem");
        Path original = Files.writeString(dir.resolve("original.txt"), "through the jump\n");
        String remote = guestServer.home().resolve("copied.txt").toString();

        guest.upload(original, remote);
        guest.download(remote, dir.resolve("back.txt"));

        assertThat(Files.readString(guestServer.home().resolve("copied.txt"))).isEqualTo("through the jump\n");
        assertThat(dir.resolve("back.txt")).hasContent("through the jump");
        assertThatThrownBy(() -> guest.download("/no/such/file", dir.resolve("x")))
                .hasMessageStartingWith("cannot download " + user + "@127.0.0.1:" + guestServer.port() + " via "
                        + jumpAddress() + ":/no/such/file to ");
    }

    @Test
    void aProbeSeesAnOpenAndAClosedPortAsTheHostDoesOnOneHostLogin() throws Exception {
        int closed = DropbearServer.freeLoopbackPort();

        assertThat(host.jump().portOpen("127.0.0.1", guestServer.port())).isTrue();
        assertThat(host.jump().portOpen("127.0.0.1", closed)).isFalse();
        assertThat(host.jump().portOpen("127.0.0.1", guestServer.port())).isTrue();
        // The refusal was the host's answer about the port: its connection stayed, shared with its commands.
        assertThat(hostLogins()).isEqualTo(1);
        assertThat(host.check(TIMEOUT, List.of("true")).succeeded()).isTrue();
        assertThat(hostLogins()).isEqualTo(1);
    }

    @Test
    void aTargetTheHostCannotConnectToIsNamedWithTheJumpHost() throws Exception {
        int closed = DropbearServer.freeLoopbackPort();
        SshjSsh nowhere = new SshjSsh(guestTarget(closed));

        assertThatThrownBy(() -> nowhere.exec("true"))
                .isInstanceOf(VirtunitException.class)
                .hasMessageStartingWith("cannot connect to 127.0.0.1:" + closed + " via " + jumpAddress() + ": the jump "
                        + "host " + jumpAddress() + " could not connect to 127.0.0.1:" + closed + " (")
                .hasMessageEndingWith("): is that address on one of that host's networks, and does something listen "
                        + "on the port?");
        nowhere.close();
    }

    @Test
    void aHostThatIsDownIsNamedAndNoProbeAnswerIsMadeUp() {
        jumpServer.stop();

        assertThatThrownBy(() -> guest.exec("true"))
                .isInstanceOf(VirtunitException.class)
                .hasMessageStartingWith("cannot connect to 127.0.0.1:" + guestServer.port() + " via " + jumpAddress()
                        + ": the jump host " + jumpAddress() + " cannot be used to reach 127.0.0.1:" + guestServer.port()
                        + ": cannot connect to 127.0.0.1:" + jumpServer.port() + " within 20s: ")
                .hasMessageContaining("Connection refused");
        assertThatThrownBy(() -> host.jump().portOpen("127.0.0.1", guestServer.port()))
                .isInstanceOf(VirtunitException.class)
                .hasMessageStartingWith("the jump host " + jumpAddress() + " cannot be used to reach 127.0.0.1:"
                        + guestServer.port() + ": ");
    }

    @Test
    void aHostThatForbidsTcpForwardingSaysSoRatherThanThatThePortIsClosed() throws Exception {
        jumpServer.stop();
        jumpServer.withoutTcpForwarding().start();

        assertThatThrownBy(() -> host.jump().portOpen("127.0.0.1", guestServer.port()))
                .isInstanceOf(ForwardingForbiddenException.class)
                .hasMessageStartingWith("the jump host " + jumpAddress() + " does not allow TCP forwarding, so 127.0.0.1:"
                        + guestServer.port() + " cannot be reached through it (")
                .hasMessageEndingWith("). Allow it for " + user + " there: AllowTcpForwarding yes (OpenSSH), or "
                        + "dropbear without -j");
        assertThatThrownBy(() -> guest.exec("true"))
                .isInstanceOf(ForwardingForbiddenException.class)
                .hasMessageStartingWith("cannot connect to 127.0.0.1:" + guestServer.port() + " via " + jumpAddress()
                        + ": the jump host " + jumpAddress() + " does not allow TCP forwarding");
    }

    @Test
    void aHostConnectionThatDiedIsOpenedAgainOnceAndTheGuestLogsInAgainThroughIt() throws Exception {
        assertThat(guest.exec("true").succeeded()).isTrue();
        assertThat(hostLogins()).isEqualTo(1);

        jumpServer.stop();
        jumpServer.start();

        // The guest's stream died with the host's connection; both are opened again by the next call.
        assertThat(guest.exec("echo again").stdout()).isEqualTo("again\n");
        assertThat(hostLogins()).isEqualTo(2);
        assertThat(host.jump().portOpen("127.0.0.1", guestServer.port())).isTrue();
        assertThat(hostLogins()).isEqualTo(2);
    }

    @Test
    void theGuestsHostKeyIsCheckedAsForADirectLogin() {
        SshKeyPair other = SshKeyPair.generateEd25519("someone-else");
        SshjSsh wrong = new SshjSsh(guestTarget(guestServer.port()).withHostKeyFingerprint(other.sha256Fingerprint()));

        assertThatThrownBy(() -> wrong.exec("true"))
                .isInstanceOf(VirtunitException.class)
                .hasMessageStartingWith("host key mismatch for 127.0.0.1:" + guestServer.port() + " via " + jumpAddress()
                        + ": expected " + other.sha256Fingerprint() + " but the server presented ssh-ed25519 "
                        + guestHostKey.sha256Fingerprint());
        wrong.close();
    }

    @Test
    void aTargetThatAcceptsButNeverGreetsFailsAfterTheConnectTimeout() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                try (Socket accepted = silent.accept()) {
                    accepted.getInputStream().readAllBytes();   // says nothing; holds on until the client gives up
                } catch (Exception e) {
                    // closed with the test
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            SshjSsh mute = new SshjSsh(guestTarget(silent.getLocalPort()).withConnectTimeout(Duration.ofSeconds(1)));

            assertThatThrownBy(() -> mute.exec("true"))
                    .isInstanceOf(VirtunitException.class)
                    .hasMessageStartingWith("cannot connect to 127.0.0.1:" + silent.getLocalPort() + " via "
                            + jumpAddress() + " within 1s: ")
                    .hasMessageContaining("no SSH greeting from 127.0.0.1:" + silent.getLocalPort() + " via "
                            + jumpAddress() + " within 1s (the host connected, the server there said nothing)");
            mute.close();
        }
    }
}
