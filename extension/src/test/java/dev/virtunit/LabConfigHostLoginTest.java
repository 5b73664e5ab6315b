package dev.virtunit;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code virtunit.host.ssh}, {@code .identity}, {@code .knownHosts}: read, defaulted, and a bad login refused. */
class LabConfigHostLoginTest {

    private static LabConfig resolve(Map<String, String> parameters) {
        return LabConfig.resolve(key -> Optional.ofNullable(parameters.get(key)));
    }

    @Test
    void noLoginByDefaultTheAgentAndTheUsersKnownHosts() {
        HostLogin login = resolve(Map.of()).hostLogin();

        assertThat(login.ssh()).isEmpty();
        assertThat(login.identity()).isEmpty();
        assertThat(login.knownHosts()).isEqualTo(Path.of(System.getProperty("user.home"), ".ssh", "known_hosts"));
        assertThat(login).isEqualTo(HostLogin.DEFAULT);
    }

    @Test
    void theSettingsAreRead() {
        HostLogin login = resolve(Map.of("virtunit.host.ssh", "root@kvm1.example:2222",
                "virtunit.host.identity", "/keys/kvm1", "virtunit.host.knownHosts", "/keys/known_hosts")).hostLogin();

        assertThat(login).isEqualTo(new HostLogin(Optional.of("root@kvm1.example:2222"), Optional.of(Path.of("/keys/kvm1")),
                Path.of("/keys/known_hosts")));
    }

    @Test
    void aLoginNotOfTheFormUserAtHostIsRefusedNamingItsSourceAndTheForms() {
        for (String bad : List.of("kvm1", "root@", "@kvm1", "root@kvm1:0", "root@kvm1:65536", "root@kvm1:ssh",
                "root@kvm1;reboot", "root@-kvm1", "ro ot@kvm1")) {
            assertThatThrownBy(() -> resolve(Map.of("virtunit.host.ssh", bad))).as(bad)
                    .isInstanceOf(InvalidDeclarationException.class)
                    .hasMessage("configuration parameter virtunit.host.ssh is '" + bad + "'; allowed: user@host or "
                            + "user@host:port (port 1 to 65535), as in root@kvm1.example:22");
            assertThatThrownBy(() -> HostLogin.DEFAULT.withSsh(bad)).as(bad)
                    .isInstanceOf(InvalidDeclarationException.class)
                    .hasMessageStartingWith("virtunit.host.ssh is '" + bad + "'; allowed: user@host");
        }
    }

    @Test
    void theWithersChangeOnlyTheirPart() {
        LabConfig config = LabConfig.fromEnvironment().withHostLogin(HostLogin.DEFAULT.withSsh("u@h").withIdentity(Path.of("/k"))
                .withKnownHosts(Path.of("/kh")));

        assertThat(config.hostLogin()).isEqualTo(new HostLogin(Optional.of("u@h"), Optional.of(Path.of("/k")), Path.of("/kh")));
        assertThat(config.withBootTimeout(Duration.ofSeconds(5)).hostLogin()).isEqualTo(config.hostLogin());
        assertThat(config.withLibvirtUri("qemu+tcp://h/system").hostLogin()).isEqualTo(config.hostLogin());
    }

    @Test
    void theConstructorOf03KeepsTheDefaultLogin() {
        LabConfig config = new LabConfig("qemu:///system", Acceleration.AUTO, CleanupMode.ALWAYS, Duration.ofSeconds(1),
                Path.of("/s"), Path.of("/c"), false, false, Duration.ofHours(1), 1);

        assertThat(config.hostLogin()).isEqualTo(HostLogin.DEFAULT);
    }
}
