package dev.virtunit.internal.lab;

import dev.virtunit.HostLogin;
import dev.virtunit.HostUnavailableException;
import dev.virtunit.InvalidDeclarationException;
import dev.virtunit.LabConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Whether a lab's host is remote and how it is logged in to: every setting that cannot work is refused naming the
 * setting and the remedy, before anything is made ({@link RemoteLogin}, {@link LabHost#open}).
 */
class RemoteLoginTest {

    @TempDir
    Path dir;

    private Path file(String name) throws IOException {
        return Files.writeString(dir.resolve(name), "x");
    }

    private static LabConfig on(String uri, HostLogin login) {
        return LabConfig.fromEnvironment().withLibvirtUri(uri).withHostLogin(login);
    }

    private static Optional<RemoteLogin> login(LabConfig config, Map<String, String> environment) {
        return RemoteLogin.of(config, environment::get);
    }

    @Test
    void aUriWithoutAHostOrOfThisMachineIsLocal() {
        for (String uri : new String[] {"qemu:///system", "test:///default", "qemu+tcp://localhost/system",
                "qemu+ssh://root@127.0.0.1/system", "qemu+tcp://[::1]/system", "qemu+unix:///system"}) {
            assertThat(RemoteLogin.remoteHostOf(uri)).as(uri).isEmpty();
            assertThat(login(on(uri, HostLogin.DEFAULT), Map.of())).as(uri).isEmpty();
        }
        assertThat(RemoteLogin.remoteHostOf("qemu+tcp://172.31.250.3/system")).hasValue("172.31.250.3");
    }

    @Test
    void theLoginComesFromTheSettingWithAKeyFile() throws IOException {
        Path key = file("id");
        Path knownHosts = file("known_hosts");

        RemoteLogin login = login(on("qemu+tcp://kvm1/system", HostLogin.DEFAULT.withSsh("admin@kvm1:2222")
                .withIdentity(key).withKnownHosts(knownHosts)), Map.of()).orElseThrow();

        assertThat(login).isEqualTo(new RemoteLogin("admin", "kvm1", 2222, Optional.of(key), Optional.empty(), knownHosts));
        assertThat(login.address()).isEqualTo("admin@kvm1:2222");
    }

    @Test
    void aQemuSshUriGivesTheLoginAndTheAgentTheKeys() throws IOException {
        Path agent = file("agent.sock");
        Path knownHosts = file("known_hosts");

        RemoteLogin login = login(on("qemu+ssh://ops@kvm2:2022/system", HostLogin.DEFAULT.withKnownHosts(knownHosts)),
                Map.of("SSH_AUTH_SOCK", agent.toString())).orElseThrow();
        RemoteLogin defaultPort = login(on("qemu+ssh://ops@kvm2/system", HostLogin.DEFAULT.withKnownHosts(knownHosts)),
                Map.of("SSH_AUTH_SOCK", agent.toString())).orElseThrow();

        assertThat(login).isEqualTo(new RemoteLogin("ops", "kvm2", 2022, Optional.empty(), Optional.of(agent), knownHosts));
        assertThat(defaultPort.port()).isEqualTo(22);
    }

    @Test
    void aRemoteUriWithoutAnySshLoginIsRefusedSayingWhatToSet() {
        assertThatThrownBy(() -> login(on("qemu+tcp://kvm1/system", HostLogin.DEFAULT), Map.of()))
                .isInstanceOf(InvalidDeclarationException.class)
                .hasMessageContaining("virtunit.libvirt.uri qemu+tcp://kvm1/system names the remote host kvm1")
                .hasMessageContaining("no SSH login is set: set virtunit.host.ssh=user@host[:port]")
                .hasMessageContaining("or use a qemu+ssh://user@host/system URI");
    }

    @Test
    void aKeyFileThatIsNotThereIsRefusedNamingTheSetting() throws IOException {
        Path knownHosts = file("known_hosts");

        assertThatThrownBy(() -> login(on("qemu+tcp://kvm1/system", HostLogin.DEFAULT.withSsh("root@kvm1")
                .withIdentity(dir.resolve("missing")).withKnownHosts(knownHosts)), Map.of()))
                .isInstanceOf(InvalidDeclarationException.class)
                .hasMessageContaining("virtunit.host.identity is '" + dir.resolve("missing") + "', which is not a readable file")
                .hasMessageContaining("or unset it to log in with the keys of the SSH agent");
        assertThatThrownBy(() -> login(on("qemu+tcp://kvm1/system", HostLogin.DEFAULT.withSsh("root@kvm1")
                .withIdentity(dir).withKnownHosts(knownHosts)), Map.of()))
                .hasMessageContaining("virtunit.host.identity is '" + dir + "', which is not a readable file");
    }

    @Test
    void neitherAKeyFileNorAnAgentIsRefusedSayingBoth() throws IOException {
        HostLogin login = HostLogin.DEFAULT.withSsh("root@kvm1").withKnownHosts(file("known_hosts"));

        assertThatThrownBy(() -> login(on("qemu+tcp://kvm1/system", login), Map.of()))
                .isInstanceOf(InvalidDeclarationException.class)
                .hasMessageContaining("virtunit.host.identity is not set and no SSH agent is there ($SSH_AUTH_SOCK is not set)")
                .hasMessageContaining("set virtunit.host.identity to the private key file, or start ssh-agent");
        assertThatThrownBy(() -> login(on("qemu+tcp://kvm1/system", login),
                Map.of("SSH_AUTH_SOCK", dir.resolve("gone.sock").toString())))
                .hasMessageContaining("($SSH_AUTH_SOCK is '" + dir.resolve("gone.sock") + "', which does not exist)");
    }

    @Test
    void aKnownHostsFileThatIsNotThereIsRefusedWithHowToFillIt() throws IOException {
        Path missing = dir.resolve("known_hosts");

        assertThatThrownBy(() -> login(on("qemu+tcp://kvm1/system", HostLogin.DEFAULT.withSsh("root@kvm1:2222")
                .withIdentity(file("id")).withKnownHosts(missing)), Map.of()))
                .isInstanceOf(InvalidDeclarationException.class)
                .hasMessageContaining("virtunit.host.knownHosts is '" + missing + "', which is not a readable file")
                .hasMessageContaining("ssh-keyscan -p 2222 kvm1 >> " + missing);
    }

    @Test
    void aHostThatRefusesTheConnectionIsUnavailableNamingTheLoginAndTheSettings() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        LabConfig config = on("qemu+tcp://127.0.0.2/system", HostLogin.DEFAULT.withSsh("root@127.0.0.2:" + closedPort)
                .withIdentity(file("id")).withKnownHosts(file("known_hosts")));

        assertThatThrownBy(() -> LabHost.open(config, Map.<String, String>of()::get))
                .isInstanceOf(HostUnavailableException.class)
                .hasMessageContaining("cannot use the remote libvirt host of qemu+tcp://127.0.0.2/system")
                .hasMessageContaining("over SSH as root@127.0.0.2:" + closedPort
                        + " (virtunit.host.ssh, virtunit.host.identity, virtunit.host.knownHosts)");
    }

    @Test
    void aLocalUriIsThisMachine() {
        LabHost host = LabHost.open(LabConfig.fromEnvironment().withLibvirtUri("qemu:///system"), Map.<String, String>of()::get);

        assertThat(host.isRemote()).isFalse();
        assertThat(host.where()).isEqualTo("this machine");
        assertThat(host.imagePool()).isEmpty();
    }
}
