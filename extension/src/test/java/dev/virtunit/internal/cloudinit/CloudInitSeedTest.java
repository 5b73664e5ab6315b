package dev.virtunit.internal.cloudinit;

import dev.virtunit.internal.host.Command;
import dev.virtunit.internal.host.HostCommands;
import dev.virtunit.internal.ssh.SshKeyPair;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class CloudInitSeedTest {

    private final SshKeyPair client = SshKeyPair.generateEd25519("virtunit@run");
    private final SshKeyPair host = SshKeyPair.generateEd25519("root@vu-guest");

    @Test
    void metaDataNamesInstanceAndHost() {
        CloudInitSeed seed = CloudInitSeed.builder().instanceId("vu-1-a").hostname("vu-guest").build();

        assertThat(seed.metaData()).isEqualTo("instance-id: \"vu-1-a\"\nlocal-hostname: \"vu-guest\"\n");
    }

    @Test
    void userDataCarriesAuthorizedKeyAndHostKeyAsCloudConfig() {
        CloudInitSeed seed = CloudInitSeed.builder().instanceId("i").hostname("h")
                .authorizedKey(client.publicKeyLine()).hostKey(host).build();

        String userData = seed.userData();
        assertThat(userData).startsWith("#cloud-config\n")
                .contains("ssh_authorized_keys:\n  - " + client.publicKeyLine() + "\n")
                .contains("  ed25519_private: |\n    -----BEGIN OPENSSH PRIVATE KEY-----\n")
                .contains("    -----END OPENSSH PRIVATE KEY-----\n  ed25519_public: " + host.publicKeyLine() + "\n")
                .contains("disable_root: false\n");
        // Every line of the literal block is indented, so YAML keeps the key intact.
        String block = userData.substring(userData.indexOf("ed25519_private: |\n") + 19, userData.indexOf("  ed25519_public"));
        assertThat(block.lines()).allSatisfy(line -> assertThat(line).startsWith("    "));
        assertThat(block.lines().map(String::strip).reduce("", (a, b) -> a + b + "\n"))
                .isEqualTo(host.privateKeyOpenSsh());
    }

    @Test
    void networkConfigForStaticAndDhcpNics() {
        CloudInitSeed seed = CloudInitSeed.builder().instanceId("i").hostname("h")
                .nic(NicConfig.staticAddress("52:54:00:AA:00:01", "eth0", "192.168.77.10/24", "192.168.77.1"))
                .nic(NicConfig.dhcp("52:54:00:aa:00:02", "eth1"))
                .build();

        assertThat(seed.networkConfig()).isEqualTo("""
                version: 2
                ethernets:
                  nic0:
                    match:
                      macaddress: "52:54:00:aa:00:01"
                    set-name: "eth0"
                    dhcp4: false
                    addresses:
                      - 192.168.77.10/24
                    routes:
                      - to: default
                        via: 192.168.77.1
                  nic1:
                    match:
                      macaddress: "52:54:00:aa:00:02"
                    set-name: "eth1"
                    dhcp4: true
                """);
    }

    @Test
    void rejectsMalformedInputNamingIt() {
        assertThatThrownBy(() -> NicConfig.dhcp("52-54-00-aa-00-01", "eth0"))
                .hasMessage("MAC address '52-54-00-aa-00-01' is not of the form 52:54:00:12:34:56");
        assertThatThrownBy(() -> NicConfig.staticAddress("52:54:00:aa:00:01", "eth0", "192.168.77.10", null))
                .hasMessage("address '192.168.77.10' of NIC 52:54:00:aa:00:01 is not in CIDR notation such as 192.168.77.10/24");
        assertThatThrownBy(() -> new NicConfig("52:54:00:aa:00:01", "eth0", true, List.of("10.0.0.1/24"), Optional.empty(), List.of()))
                .hasMessage("NIC 52:54:00:aa:00:01 needs either DHCP or static addresses, not both");
        assertThatThrownBy(() -> CloudInitSeed.builder().authorizedKey("ssh-ed25519 AAAA x # y"))
                .hasMessageContaining("is not a one-line OpenSSH public key");
    }

    @Test
    void writesAnIsoLabelledCidataHoldingTheThreeFiles(@TempDir Path dir) {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/isoinfo")), "isoinfo (genisoimage) not installed");
        CloudInitSeed seed = CloudInitSeed.builder().instanceId("vu-1").hostname("vu-guest")
                .authorizedKey(client.publicKeyLine()).hostKey(host)
                .nic(NicConfig.dhcp("52:54:00:aa:00:01", "eth0")).build();

        Path iso = seed.writeIso(dir.resolve("seed.iso"), HostCommands.local());

        Duration timeout = Duration.ofSeconds(10);
        assertThat(Command.check(timeout, "isoinfo", "-d", "-i", iso.toString()).stdout()).contains("Volume id: cidata");
        assertThat(Command.check(timeout, "isoinfo", "-f", "-R", "-i", iso.toString()).stdout().lines())
                .containsExactlyInAnyOrder("/meta-data", "/user-data", "/network-config");
        assertThat(Command.check(timeout, "isoinfo", "-R", "-x", "/user-data", "-i", iso.toString()).stdout())
                .isEqualTo(seed.userData());
    }

    @Test
    void aUsersOwnCloudConfigIsMergedAndItsKeysJoinOurs() {
        SshKeyPair extra = SshKeyPair.generateEd25519("someone@else");
        CloudInitSeed seed = CloudInitSeed.builder().instanceId("i").hostname("h").authorizedKey(client.publicKeyLine())
                .userData("#cloud-config\nssh_authorized_keys:\n  - " + extra.publicKeyLine() + "\nwrite_files:\n"
                        + "  - path: /etc/motd\n    content: hello\n")
                .build();

        assertThat(seed.userData())
                .contains("ssh_authorized_keys:\n  - " + client.publicKeyLine() + "\n  - " + extra.publicKeyLine() + "\n")
                .contains("write_files:\n  - path: /etc/motd\n    content: hello\n")
                .containsOnlyOnce("ssh_authorized_keys:")
                .containsOnlyOnce("#cloud-config");
    }
}
