package dev.virtunit;

import java.lang.reflect.Proxy;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every rule of {@link GuestSpec}, checked when the spec is built and reported together. */
class GuestSpecTest {

    @TempDir
    Path dir;
    private Path image;
    private Path iso;

    @BeforeEach
    void files() throws IOException {
        image = Files.writeString(dir.resolve("disk.qcow2"), "not really");
        iso = Files.writeString(dir.resolve("live.iso"), "not really");
    }

    private GuestSpecBuilder valid() {
        return GuestSpec.builder().origin("spec under test").image(image);
    }

    /** The problems {@code spec} is refused with, one by one. */
    private static List<String> problems(GuestSpecBuilder spec) {
        try {
            spec.build();
        } catch (InvalidDeclarationException e) {
            assertThat(e).hasMessage("spec under test is invalid: " + String.join("; ", e.problems()));
            return e.problems();
        }
        throw new AssertionError("the spec was accepted");
    }

    @Test
    void aValidSpecKeepsWhatWasGiven() {
        GuestSpec spec = valid().name("router").memoryMiB(512).vcpus(2).blankDisk(64).address("192.168.77.10/24")
                .gateway("192.168.77.1").userData("#cloud-config\nwrite_files: []\n").bootTimeout(Duration.ofSeconds(30))
                .build();

        assertThat(spec.bootSource()).isEqualTo(new BootSource.DiskImage(image, Optional.empty()));
        assertThat(spec.name()).contains("router");
        assertThat(spec.memoryMiB()).isEqualTo(512);
        assertThat(spec.blankDisksMiB()).containsExactly(64L);
        assertThat(spec.address()).contains("192.168.77.10/24");
    }

    @Test
    void everyProblemIsReportedTogether() {
        assertThat(problems(GuestSpec.builder().origin("spec under test").name("-bad").memoryMiB(16).vcpus(0)
                .blankDisk(0).address("192.168.77.300/24").user("Root").bootTimeout(Duration.ZERO)))
                .containsExactly(
                        "name '-bad' must be 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit; or "
                                + "leave it out and virtunit picks a unique one",
                        "nothing to boot: give an image (image = \"disk.qcow2\"), a live CD (liveCd = \"live.iso\") or "
                                + "an installer (cdrom = \"install.iso\", installDiskMiB = 8192)",
                        "memoryMiB 16 is out of range; give 64 or more (256 suits small test images)",
                        "vcpus 0 is out of range; give 1 to 64",
                        "blank disk size 0 MiB must be at least 1",
                        "address '192.168.77.300/24' is not an IPv4 address in CIDR notation such as 192.168.77.10/24",
                        "user 'Root' is not a login name: 1-32 lower-case letters, digits, '_' or '-', starting with "
                                + "a letter or '_' (useradd's rule); give one such as \"tester\", or leave it out for root",
                        "bootTimeout PT0S must be positive; give the time a boot may take, e.g. 120 s, or leave it out "
                                + "for the lab's virtunit.boot.timeout");
    }

    @ParameterizedTest
    @ValueSource(strings = {"../etc/passwd", "a b", "$(reboot)", "x;rm -rf /", "-rf", "vu-`id`", "name\n",
            "ééé", "0123456789012345678901234567890123456789012345678901234567890123"})
    void hostileGuestNamesAreRefusedBeforeReachingAnyTool(String name) {
        assertThat(problems(valid().name(name))).containsExactly("name '" + name + "' must be 1-63 letters, digits, "
                + "'.', '_' or '-', starting with a letter or digit; or leave it out and virtunit picks a unique one");
    }

    @Test
    void aNicAddressMustBeAHostOfItsSegmentOtherThanTheGateway() {
        assertThat(problems(valid().nic(segment("lan"), "10.0.0.5/8").nic(segment("lan"), ".1")
                .nic(segment("lan"), ".0").nic(segment("lan"), "192.168.77.255/24").nic(segment("lan"), ".300")))
                .containsExactly(
                        "address '10.0.0.5/8' on lan is outside its subnet 192.168.77.0/24; give an address in "
                                + "192.168.77.0/24, or a host part such as .20",
                        "address '.1' on lan is the host's gateway address on lan; give another, such as .20 (virtunit "
                                + "hands out .10 upward when you give none)",
                        "address '.0' on lan is the subnet's network address; give a host address such as .20",
                        "address '192.168.77.255/24' on lan is the subnet's broadcast address; give a host address "
                                + "such as .20",
                        "address '.300' on lan: '.300' is host 300, beyond the subnet 192.168.77.0/24; give a host "
                                + "of 192.168.77.0/24, such as .20");
    }

    @Test
    void theDefaultNetworksAddressIsNotItsOwnGatewayAndTheGatewayIsOnItsSubnet() {
        assertThat(problems(valid().address("192.168.77.10/24").gateway("192.168.77.10"))).containsExactly(
                "address '192.168.77.10/24' is its own gateway; the gateway is another host of the subnet (the "
                        + "host's address on it): give a different address or gateway");
        assertThat(problems(valid().address("192.168.77.10/24").gateway("10.0.0.1"))).containsExactly(
                "gateway '10.0.0.1' is outside the subnet 192.168.77.0/24 of address '192.168.77.10/24'; a gateway "
                        + "must be reachable on the guest's own subnet: give one in 192.168.77.0/24");
    }

    @Test
    void aGuestBootsOneWay() {
        assertThat(problems(valid().liveCd(iso)))
                .containsExactly("image and liveCd were both given; a guest boots one way: keep one");
        assertThat(problems(GuestSpec.builder().origin("spec under test").liveCd(iso).installFromCdrom(iso, 8192)))
                .containsExactly("liveCd and installer cdrom were both given; a guest boots one way: keep one");
    }

    @Test
    void anImageAfterALiveCdIsRefusedNotTurnedIntoAnInsertedCdrom() {
        assertThat(problems(GuestSpec.builder().origin("spec under test").liveCd(iso).image(image)))
                .containsExactly("liveCd and image were both given; a guest boots one way: keep one");
    }

    @Test
    void aCdromIsInsertedBesideADiskImageOnly() {
        GuestSpec spec = valid().cdrom(iso).build();
        assertThat(spec.bootSource()).isEqualTo(new BootSource.DiskImage(image, Optional.of(iso)));
        assertThat(spec.bootSource().cdrom()).contains(iso);

        assertThat(problems(GuestSpec.builder().origin("spec under test").liveCd(iso).cdrom(iso)))
                .containsExactly("liveCd and cdrom were both given; a live CD is the CD-ROM: keep liveCd");
        assertThat(problems(GuestSpec.builder().origin("spec under test").installFromCdrom(iso, 8192).cdrom(iso)))
                .containsExactly("an installer CD and cdrom were both given; the installer is the CD-ROM: drop cdrom");
        assertThat(problems(GuestSpec.builder().origin("spec under test")
                .bootFrom(new BootSource.DiskImage(image, Optional.of(iso))).cdrom(iso)))
                .singleElement().asString().startsWith("cdrom was given twice");
    }

    @Test
    void bootFilesMustExistAndAnInstallerNeedsRoomToInstall() {
        Path missing = dir.resolve("missing.iso");
        assertThat(problems(GuestSpec.builder().origin("spec under test").installFromCdrom(missing, 8)))
                .containsExactly("cdrom '" + missing + "' does not exist (resolved to " + missing.toAbsolutePath()
                                + "); check the path, relative paths are resolved against the working directory",
                        "installDiskMiB 8 is too small for an installation; give at least 16");
        assertThat(problems(valid().cdrom(missing))).singleElement().asString().startsWith("cdrom '" + missing + "'");
        assertThat(GuestSpec.builder().liveCd(iso).build().bootSource()).isEqualTo(new BootSource.LiveCd(iso));
    }

    @ParameterizedTest
    @ValueSource(strings = {"192.168.077.10/24", "192.168.77.010/24", "192.168.77.10/024", "192.168.77.10", "10.0.0.1/33"})
    void addressesAreStrictCidr(String address) {
        assertThat(problems(valid().address(address))).containsExactly("address '" + address
                + "' is not an IPv4 address in CIDR notation such as 192.168.77.10/24");
    }

    @Test
    void theDefaultNetworksAddressGatewayAndDhcpFitTogether() {
        assertThat(problems(valid().gateway("192.168.077.1"))).containsExactly(
                "gateway '192.168.077.1' is not an IPv4 address such as 192.168.77.1",
                "gateway '192.168.077.1' needs a static address; with DHCP the gateway comes from the DHCP server");
        assertThat(problems(valid().address("192.168.77.10/24").dhcp(true)))
                .containsExactly("address '192.168.77.10/24' and dhcp were both given; keep one");
        assertThat(problems(valid().dhcp(true).nic(segment("lan"))))
                .containsExactly("address, gateway and dhcp are for the default network; with NICs on bridges give "
                        + "each NIC its address");
    }

    @Test
    void nicsTakeFullOrRelativeAddressesAWellFormedMacAndVlansOnOpenVSwitchOnly() {
        GuestSpec spec = valid().nic(segment("lan"), ".20").nic(segment("lan"), ".21/24").nic(segment("lan"), "192.168.77.5/24")
                .nic(ovs("ovs0"), null, 7).nic(segment("lan"), null, 0, "52:54:00:AB:CD:EF").build();
        assertThat(spec.nics().get(4).mac()).contains("52:54:00:ab:cd:ef");

        assertThat(problems(valid().nic(segment("lan"), ".020").nic(segment("lan"), "10.0.0.5")
                .nic(segment("lan"), null, 0, "52-54-00-ab-cd-ef").nic(ovs("ovs0"), null, 5000).nic(segment("lan"), null, 3)))
                .containsExactly(
                        "address '.020' on lan is not an IPv4 address in CIDR notation such as 192.168.77.10/24",
                        "address '10.0.0.5' on lan is not an IPv4 address in CIDR notation such as 192.168.77.10/24",
                        "MAC '52-54-00-ab-cd-ef' on lan is not of the form 52:54:00:12:34:56",
                        "VLAN 5000 on ovs0 is out of range; give 1 to 4094, or 0 for none",
                        "VLAN 3 on lan: VLAN tags are for Open vSwitch bridges; use @OvsBridge");
    }

    @Test
    void userDataMustBeCloudConfig() {
        assertThat(problems(valid().userData("runcmd: []\n")))
                .containsExactly("userData must be cloud-config and start with '#cloud-config'");
    }

    @Test
    void reservedUserDataKeysAreRefusedWhenTheSpecIsBuilt() {
        assertThat(problems(valid().userData("#cloud-config\nssh_keys:\n  rsa_private: x\ndisable_root: true\n"
                + "write_files: []\n")))
                .containsExactly(
                        "userData sets 'ssh_keys', which virtunit writes itself to log in with keys it verifies; "
                                + "remove it from userData",
                        "userData sets 'disable_root', which virtunit writes itself to log in with keys it verifies; "
                                + "remove it from userData");
        // Its authorised keys join ours; they are not reserved.
        assertThat(valid().userData("#cloud-config\nssh_authorized_keys:\n  - ssh-ed25519 AAAA x\n").build().userData())
                .contains("ssh_authorized_keys");
    }

    @Test
    void brokenUserDataIsRefusedWithTheParsersLineAndColumn() {
        assertThat(problems(valid().userData("#cloud-config\nruncmd:\n  - [ a, b\nlocale: x\n")))
                .singleElement().asString()
                .startsWith("userData is not valid YAML at line 4, column 7: ")
                .endsWith("; fix it (cloud-init would ignore the whole user-data)");
        assertThat(problems(valid().userData("#cloud-config\nlocale: a\nlocale: b\n"))).singleElement().asString()
                .startsWith("userData is not valid YAML at line 3, column 1: found duplicate key locale");
        assertThat(problems(valid().userData("#cloud-config\n- runcmd\n"))).containsExactly("userData must be a YAML "
                + "mapping of cloud-config keys (such as 'runcmd:'), not a list or a single value");
    }

    @Test
    void mergedListsMustBeListsAndTheLoginUserIsVirtunits() {
        assertThat(problems(valid().user("tester").userData("""
                #cloud-config
                runcmd: echo hi
                users:
                  - default
                  - name: tester
                    sudo: false
                """))).containsExactly(
                "userData's 'runcmd' must be a list (write it as 'runcmd:' followed by '- ' items): virtunit adds it to "
                        + "its own list of the same key",
                "userData's users entry 'tester' is the guest's login user, which virtunit creates itself with the "
                        + "run's key and passwordless sudo; remove that entry, or log in as another user");
        assertThat(valid().user("tester").userData("#cloud-config\nusers: [ default, { name: other } ]\n").build()
                .userData()).contains("other");
    }

    private static Segment segment(String name) {
        return new Segment() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public String cidr() {
                return "192.168.77.0/24";
            }

            @Override
            public String gateway() {
                return "192.168.77.1";
            }
        };
    }

    static Bridge ovs(String name) {
        return (Bridge) Proxy.newProxyInstance(Bridge.class.getClassLoader(), new Class<?>[] {Bridge.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "name" -> name;
                    case "kind" -> Bridge.Kind.OVS;
                    case "cidr" -> "192.168.78.0/24";
                    case "gateway" -> "192.168.78.1";
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
