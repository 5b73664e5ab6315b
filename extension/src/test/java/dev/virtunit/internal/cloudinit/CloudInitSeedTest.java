package dev.virtunit.internal.cloudinit;

import dev.virtunit.internal.host.Command;
import dev.virtunit.internal.host.HostCommands;
import dev.virtunit.internal.ssh.SshKeyPair;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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

        assertThat(seed.metaData()).isEqualTo("instance-id: vu-1-a\nlocal-hostname: vu-guest\n");
    }

    @Test
    void userDataForRootIsTheSeedRealCloudInitAccepted() {
        CloudInitSeed seed = CloudInitSeed.builder().instanceId("i").hostname("vu-guest").user("root")
                .authorizedKey(client.publicKeyLine()).hostKey(host).build();

        assertThat(seed.userData()).isEqualTo("""
                #cloud-config
                hostname: vu-guest
                manage_etc_hosts: true
                locale: C.UTF-8
                disable_root: false
                ssh_deletekeys: true
                ssh_genkeytypes:
                  - ed25519
                ssh_keys:
                  ed25519_private: |
                """ + indented(host.privateKeyOpenSsh(), 4) + """
                  ed25519_public: %s
                ssh_authorized_keys:
                  - %s
                """.formatted(host.publicKeyLine(), client.publicKeyLine()));
    }

    @Test
    void aNonRootUserGetsTheKeysAndPasswordlessSudoAndTheTestsListsFollowOurs() {
        SshKeyPair extra = SshKeyPair.generateEd25519("someone@else");
        CloudInitSeed seed = CloudInitSeed.builder().instanceId("i").hostname("vu-guest").user("tester")
                .authorizedKey(client.publicKeyLine())
                .userData("""
                        #cloud-config
                        locale: de_DE.UTF-8
                        ssh_authorized_keys:
                          - %s
                        users:
                          - name: extra
                            groups: [ adm ]
                        write_files:
                        - path: /etc/motd
                          permissions: '0644'
                          content: |
                            hello
                        runcmd:
                          - [ sh, -c, "echo ran > /var/tmp/ran" ]
                          - touch /var/tmp/also
                        """.formatted(extra.publicKeyLine()))
                .build();

        assertThat(seed.userData()).isEqualTo("""
                #cloud-config
                hostname: vu-guest
                manage_etc_hosts: true
                locale: de_DE.UTF-8
                disable_root: false
                ssh_authorized_keys:
                  - %1$s
                  - %2$s
                users:
                  - name: tester
                    shell: /bin/bash
                    lock_passwd: true
                    sudo: ALL=(ALL) NOPASSWD:ALL
                    ssh_authorized_keys:
                      - %1$s
                  - name: extra
                    groups:
                      - adm
                write_files:
                  - path: /etc/motd
                    permissions: '0644'
                    content: |
                      hello
                runcmd:
                  -   - sh
                      - -c
                      - echo ran > /var/tmp/ran
                  - touch /var/tmp/also
                """.formatted(client.publicKeyLine(), extra.publicKeyLine()));
    }

    @Test
    void theUserDataParsesBackToWhatWasMerged() {
        CloudInitSeed seed = CloudInitSeed.builder().instanceId("i").hostname("h").user("tester")
                .authorizedKey(client.publicKeyLine()).hostKey(host)
                .userData("#cloud-config\nruncmd: [ 'echo \"quoted: yes\" # not a comment' ]\npackages: [ curl ]\n")
                .build();

        Map<String, Object> parsed = new Yaml().load(seed.userData());
        assertThat(parsed.get("runcmd")).isEqualTo(List.of("echo \"quoted: yes\" # not a comment"));
        assertThat(parsed.get("packages")).isEqualTo(List.of("curl"));
        assertThat(parsed.get("ssh_keys")).isEqualTo(Map.of("ed25519_private", host.privateKeyOpenSsh(),
                "ed25519_public", host.publicKeyLine()));
        assertThat(parsed.get("ssh_authorized_keys")).isEqualTo(List.of(client.publicKeyLine()));
        assertThat(parsed.get("disable_root")).isEqualTo(false);
    }

    @Test
    void brokenUserDataIsRefusedWithTheParsersLineAndColumn() {
        assertThatThrownBy(() -> CloudInitSeed.builder().userData("#cloud-config\nruncmd:\n  - [ a, b\nlocale: x\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("userData is not valid YAML at line 4, column 7:");
        assertThatThrownBy(() -> CloudInitSeed.builder().userData("#cloud-config\n- a list\n"))
                .hasMessage("userData is not a YAML mapping of cloud-config keys (such as 'runcmd:') but a list");
    }

    @Test
    void networkConfigForStaticAndDhcpNics() {
        CloudInitSeed seed = CloudInitSeed.builder().instanceId("i").hostname("h")
                .nic(new NicConfig("52:54:00:12:34:56", "eth0", false, List.of("192.168.77.10/24"),
                        Optional.of("192.168.77.1"), List.of("192.168.77.1")))
                .nic(NicConfig.staticAddress("52:54:00:AA:00:02", "eth1", "10.9.0.5/24", null))
                .nic(NicConfig.dhcp("52:54:00:aa:00:03", "eth2"))
                .build();

        // A MAC of digits only is quoted: YAML 1.1 (cloud-init's PyYAML) would read it as a base-60 number.
        assertThat(seed.networkConfig()).isEqualTo("""
                version: 2
                ethernets:
                  eth0:
                    match:
                      macaddress: '52:54:00:12:34:56'
                    set-name: eth0
                    addresses:
                      - 192.168.77.10/24
                    routes:
                      - to: 0.0.0.0/0
                        via: 192.168.77.1
                    nameservers:
                      addresses:
                        - 192.168.77.1
                  eth1:
                    match:
                      macaddress: 52:54:00:aa:00:02
                    set-name: eth1
                    addresses:
                      - 10.9.0.5/24
                  eth2:
                    match:
                      macaddress: 52:54:00:aa:00:03
                    set-name: eth2
                    dhcp4: true
                """);
        Map<String, Object> parsed = new Yaml().load(seed.networkConfig());
        assertThat(parsed).containsEntry("version", 2);
    }

    private static String indented(String text, int spaces) {
        return text.lines().map(line -> " ".repeat(spaces) + line + "\n").reduce("", String::concat);
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
}
