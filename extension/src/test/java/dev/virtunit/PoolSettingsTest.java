package dev.virtunit;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code virtunit.hosts} and each host's settings, read as {@link LabConfig#resolve} reads them. */
class PoolSettingsTest {

    private final Map<String, String> parameters = new HashMap<>();

    private LabConfig resolve() {
        return LabConfig.resolve(key -> Optional.ofNullable(parameters.get(key)));
    }

    @Test
    void withoutTheSettingALabHasOneHost() {
        assertThat(resolve().hosts()).isEmpty();
    }

    @Test
    void namedHostsTakeTheirOwnSettingsAndTheOneHostsLoginForTheRest() {
        parameters.put("virtunit.hosts", "local, kvm1");
        parameters.put("virtunit.host.identity", "/keys/id_ed25519");
        parameters.put("virtunit.host.kvm1.uri", "qemu+tcp://10.1.2.3/system");
        parameters.put("virtunit.host.kvm1.ssh", "root@10.1.2.3:2222");
        parameters.put("virtunit.host.kvm1.maxGuests", "4");

        List<PoolHost> hosts = resolve().hosts();

        assertThat(hosts).extracting(PoolHost::name).containsExactly("local", "kvm1");
        assertThat(hosts.get(0).libvirtUri()).isEqualTo("qemu:///system");
        assertThat(hosts.get(0).maxGuests()).isEqualTo(PoolHost.NO_LIMIT);
        PoolHost kvm1 = hosts.get(1);
        assertThat(kvm1.libvirtUri()).isEqualTo("qemu+tcp://10.1.2.3/system");
        assertThat(kvm1.login().ssh()).contains("root@10.1.2.3:2222");
        assertThat(kvm1.login().identity()).contains(Path.of("/keys/id_ed25519"));
        assertThat(kvm1.maxGuests()).isEqualTo(4);
    }

    @Test
    void uriEntriesAreNamedByTheirHostAndNeverTakeTheOneHostsSshLogin() {
        parameters.put("virtunit.hosts", "qemu:///system,qemu+ssh://root@kvm2.example/system");
        parameters.put("virtunit.host.ssh", "admin@elsewhere");
        parameters.put("virtunit.hosts.maxGuests", "3");

        List<PoolHost> hosts = resolve().hosts();

        assertThat(hosts).extracting(PoolHost::name).containsExactly("local", "kvm2.example");
        assertThat(hosts.get(1).login().ssh()).as("a qemu+ssh URI carries its own login").isEmpty();
        assertThat(hosts).extracting(PoolHost::maxGuests).containsOnly(3);
    }

    @Test
    void aPoolHostsLabConfigHasItsUriAndLoginAndNoPool() {
        parameters.put("virtunit.hosts", "local,kvm1");
        parameters.put("virtunit.host.kvm1.uri", "qemu+tcp://10.1.2.3/system");
        parameters.put("virtunit.host.kvm1.ssh", "root@10.1.2.3");
        LabConfig config = resolve();

        LabConfig onKvm1 = config.onPoolHost(config.hosts().get(1));

        assertThat(onKvm1.libvirtUri()).isEqualTo("qemu+tcp://10.1.2.3/system");
        assertThat(onKvm1.hostLogin().ssh()).contains("root@10.1.2.3");
        assertThat(onKvm1.hosts()).isEmpty();
        assertThat(onKvm1.bootTimeout()).isEqualTo(config.bootTimeout());
    }

    @Test
    void aNamedHostWithoutUriIsRefusedNamingTheSettingToSet() {
        parameters.put("virtunit.hosts", "local,kvm1");

        assertThatThrownBy(this::resolve).isInstanceOf(InvalidDeclarationException.class)
                .hasMessageContaining("configuration parameter virtunit.hosts lists the host kvm1")
                .hasMessageContaining("virtunit.host.kvm1.uri is not set");
    }

    @Test
    void aHostListedTwiceIsRefused() {
        parameters.put("virtunit.hosts", "local,qemu:///system");

        assertThatThrownBy(this::resolve).isInstanceOf(InvalidDeclarationException.class)
                .hasMessageContaining("lists the host local twice");
    }

    @Test
    void badEntriesAndLimitsAreRefusedNamingTheSettingAndWhatIsAllowed() {
        parameters.put("virtunit.hosts", "local,,kvm1");
        assertThatThrownBy(this::resolve).hasMessageContaining("has an empty entry");

        parameters.put("virtunit.hosts", "local,kvm 1");
        assertThatThrownBy(this::resolve).hasMessageContaining("'kvm 1', which is neither a libvirt URI nor a host name");

        parameters.put("virtunit.hosts", "local");
        parameters.put("virtunit.host.local.maxGuests", "0");
        assertThatThrownBy(this::resolve)
                .hasMessageContaining("configuration parameter virtunit.host.local.maxGuests is '0'")
                .hasMessageContaining("a whole number of 1 or more");

        parameters.put("virtunit.host.local.maxGuests", "2");
        parameters.put("virtunit.host.local.ssh", "no-at-sign");
        assertThatThrownBy(this::resolve).hasMessageContaining("virtunit.host.local.ssh is 'no-at-sign'");
    }
}
