package dev.virtunit.junit;

import dev.virtunit.Bridge;
import dev.virtunit.Guest;
import dev.virtunit.InvalidDeclarationException;
import dev.virtunit.Network;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.testkit.engine.EngineExecutionResults;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

import static dev.virtunit.junit.ExtensionRuns.assertClassFailed;

/**
 * Bad input as a user writes it, through real JUnit: each mistake fails its class before any test starts, with a
 * message naming the field, the rule and the remedy, and the run leaves nothing ({@link ExtensionRuns}). Bridges and
 * networks here are refused while their specs are checked, before the lab makes anything of the class; the uplinks
 * named are no interfaces, so even a rule that let one through would make no NAT toward the host's real uplink.
 */
class BadDeclarationTest {

    private static final String ISO = "virtunit.bad-declaration-test.iso";
    private static final String CORRUPT = "virtunit.bad-declaration-test.corrupt";
    private static final String PREFIX = "dev.virtunit.junit.BadDeclarationTest$";

    @TempDir
    static Path scratch;

    private final Path stateDir = scratch.resolve("state-" + System.nanoTime());

    @BeforeAll
    static void files() throws Exception {
        System.setProperty(ISO, Files.writeString(scratch.resolve("live.iso"), "an ISO, as far as the spec sees").toString());
        byte[] noise = new byte[64 * 1024];
        new Random(9).nextBytes(noise);
        System.setProperty(CORRUPT, Files.write(scratch.resolve("corrupt.qcow2"), noise).toString());
    }

    @AfterAll
    static void forget() {
        System.clearProperty(ISO);
        System.clearProperty(CORRUPT);
    }

    private EngineExecutionResults run(Class<?> testCase) {
        return run(testCase, Map.of());
    }

    private EngineExecutionResults run(Class<?> testCase, Map<String, String> parameters) {
        return ExtensionRuns.run(testCase, stateDir, parameters);
    }

    private void assertRefused(Class<?> testCase, String field, String annotation, String problems) {
        assertClassFailed(run(testCase), testCase, InvalidDeclarationException.class,
                annotation + " field [" + PREFIX + testCase.getSimpleName() + "." + field + "] is invalid: " + problems);
    }

    // ---- guests ----

    @LibvirtTest
    static class CdromWithoutInstallDisk {
        @LibvirtGuest(cdrom = "${" + ISO + "}")
        static Guest guest;

        @Test
        void test() {
        }
    }

    @Test
    void aCdromWithoutInstallDiskSaysHowToInstallOrBootIt() {
        assertRefused(CdromWithoutInstallDisk.class, "guest", "@LibvirtGuest", "cdrom without image needs "
                + "installDiskMiB (install onto a new disk, e.g. installDiskMiB = 8192), or use liveCd to boot the ISO "
                + "with no disk; installDiskMiB 0 is too small for an installation; give at least 16");
    }

    @LibvirtTest
    static class LiveCdWithCdrom {
        @LibvirtGuest(liveCd = "${" + ISO + "}", cdrom = "${" + ISO + "}")
        static Guest guest;

        @Test
        void test() {
        }
    }

    @Test
    void aLiveCdWithACdromKeepsTheLiveCd() {
        assertRefused(LiveCdWithCdrom.class, "guest", "@LibvirtGuest",
                "liveCd and cdrom were both given; a live CD is the CD-ROM: keep liveCd");
    }

    @LibvirtTest
    static class MissingIso {
        @LibvirtGuest(liveCd = "no/such/live.iso")
        static Guest guest;

        @Test
        void test() {
        }
    }

    @Test
    void aMissingIsoIsNamedWithWhereItWasLookedFor() {
        assertRefused(MissingIso.class, "guest", "@LibvirtGuest", "liveCd 'no/such/live.iso' does not exist (resolved "
                + "to " + Path.of("no/such/live.iso").toAbsolutePath() + "); check the path, relative paths are resolved "
                + "against the working directory");
    }

    @LibvirtTest
    static class HostileName {
        @LibvirtGuest(liveCd = "${" + ISO + "}", name = "$(reboot)/../x")
        static Guest guest;

        @Test
        void test() {
        }
    }

    @Test
    void aHostileGuestNameNeverReachesLibvirt() {
        assertRefused(HostileName.class, "guest", "@LibvirtGuest", "name '$(reboot)/../x' must be 1-63 letters, "
                + "digits, '.', '_' or '-', starting with a letter or digit; or leave it out and virtunit picks a "
                + "unique one");
    }

    @LibvirtTest
    static class BadUser {
        @LibvirtGuest(liveCd = "${" + ISO + "}", user = "Test User")
        static Guest guest;

        @Test
        void test() {
        }
    }

    @Test
    void aBadUserSaysWhatALoginNameIs() {
        assertRefused(BadUser.class, "guest", "@LibvirtGuest", "user 'Test User' is not a login name: 1-32 lower-case "
                + "letters, digits, '_' or '-', starting with a letter or '_' (useradd's rule); give one such as "
                + "\"tester\", or leave it out for root");
    }

    @LibvirtTest
    static class NegativeBootTimeout {
        @LibvirtGuest(liveCd = "${" + ISO + "}", bootTimeoutSeconds = -5)
        static Guest guest;

        @Test
        void test() {
        }
    }

    @Test
    void aNegativeBootTimeoutSaysWhatZeroMeans() {
        assertRefused(NegativeBootTimeout.class, "guest", "@LibvirtGuest", "bootTimeoutSeconds -5 must be positive, "
                + "or 0 for the configured virtunit.boot.timeout");
    }

    @LibvirtTest
    static class CorruptImage {
        @LibvirtGuest(image = "${" + CORRUPT + "}")
        static Guest guest;

        @Test
        void test() {
        }
    }

    @Test
    void aCorruptImageIsRefusedBeforeAnyVolumeExists() {
        // A short boot timeout: should the image be taken for a disk, the guest fails soon, not after 120 s.
        EngineExecutionResults results = run(CorruptImage.class, Map.of("virtunit.boot.timeout", "3"));
        results.containerEvents().assertThatEvents().haveExactly(1, org.junit.platform.testkit.engine.EventConditions.event(
                org.junit.platform.testkit.engine.EventConditions.container(CorruptImage.class),
                org.junit.platform.testkit.engine.EventConditions.finishedWithFailure(
                        org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf(InvalidDeclarationException.class),
                        org.junit.platform.testkit.engine.TestExecutionResultConditions.message(m -> m.startsWith(
                                "@LibvirtGuest field [" + PREFIX + "CorruptImage.guest]: image '"
                                        + System.getProperty(CORRUPT) + "' is named .qcow2, but qemu-img finds no qcow2 header in it "
                                        + "(it reads as raw bytes): the file is damaged or not what its name says; "
                                        + "download or build it again, and check it with qemu-img check")))));
    }

    // ---- bridges and networks ----

    @LibvirtTest
    static class TwoBridgeAnnotations {
        @OvsBridge
        @LinuxBridge
        static Bridge lan;

        @Test
        void test() {
        }
    }

    @Test
    void twoBridgeAnnotationsOnOneFieldAreRefused() {
        assertClassFailed(run(TwoBridgeAnnotations.class), TwoBridgeAnnotations.class, InvalidDeclarationException.class,
                "@OvsBridge field [" + PREFIX + "TwoBridgeAnnotations.lan] is both @OvsBridge and @LinuxBridge; a field "
                        + "is one bridge: keep @OvsBridge (VLAN tags, the userspace datapath) or @LinuxBridge");
    }

    @LibvirtTest
    static class ForwardsWithoutNat {
        @LinuxBridge(portForwards = "tcp:8080->.10:80")
        static Bridge lan;

        @Test
        void test() {
        }
    }

    @Test
    void portForwardsWithoutNatAreRefused() {
        assertRefused(ForwardsWithoutNat.class, "lan", "@LinuxBridge", "port forwards need NAT: give natUplink (the "
                + "host interface toward the outside), or drop portForwards");
    }

    @LibvirtTest
    static class NatWithoutGateway {
        @OvsBridge(gateway = Bridge.Gateway.NONE, natUplink = "vu-no-such")
        static Bridge lan;

        @Test
        void test() {
        }
    }

    @Test
    void natWithoutAGatewayIsRefused() {
        assertRefused(NatWithoutGateway.class, "lan", "@OvsBridge", "a bridge with NAT needs a gateway address on the "
                + "host; give gateway ON_BRIDGE or ON_VETH, or drop natUplink");
    }

    @LibvirtTest
    static class BadForwards {
        @OvsBridge(cidr = "192.168.77.0/24", natUplink = "vu-no-such",
                portForwards = {"8080:80", "tcp:8081->10.9.9.9:80", "sctp:1->.10:1"})
        static Bridge lan;

        @Test
        void test() {
        }
    }

    @Test
    void malformedForwardsAndForwardsOutsideTheSubnetAreNamedTogether() {
        String form = "tcp:8080->192.168.77.10:80 (or udp:..., or ->.10:80 for host 10 of the subnet)";
        assertRefused(BadForwards.class, "lan", "@OvsBridge", "port forward '8080:80' is not of the form " + form
                + "; port forward 'tcp:8081->10.9.9.9:80' points at 10.9.9.9, outside the bridge's subnet "
                + "192.168.77.0/24; give a guest address in 192.168.77.0/24, or a host part such as ->.10:80; "
                + "port forward 'sctp:1->.10:1' has protocol 'sctp'; use tcp or udp, as in " + form);
    }

    @LibvirtTest
    static class IsolatedWithUplink {
        @LibvirtNetwork(mode = Network.Mode.ISOLATED, uplink = "vu-no-such")
        static Network office;

        @Test
        void test() {
        }
    }

    @Test
    void anIsolatedNetworkWithAnUplinkIsRefused() {
        assertRefused(IsolatedWithUplink.class, "office", "@LibvirtNetwork",
                "an isolated network forwards nowhere; drop uplink or use mode NAT or ROUTE");
    }

    @LibvirtTest
    static class MalformedDhcpHosts {
        @OvsBridge
        static Bridge first;
        @LibvirtNetwork(dhcpHosts = {"52:54:00:00:00:12", "zz=.12"})
        static Network office;

        @Test
        void test() {
        }
    }

    @Test
    void malformedDhcpHostsAreRefusedBeforeAnyBridgeOfTheClassIsMade() {
        assertRefused(MalformedDhcpHosts.class, "office", "@LibvirtNetwork", "dhcpHosts entry '52:54:00:00:00:12' is "
                + "not of the form MAC=ADDRESS such as 52:54:00:00:00:12=192.168.122.12 (or =.12 for host 12 of the "
                + "subnet); dhcpHosts entry 'zz=.12' is not of the form 52:54:00:00:00:12=192.168.122.12 (or =.12 for "
                + "host 12 of the subnet)");
    }

    // ---- settings ----

    @LibvirtTest
    static class AnyGuest {
        @LibvirtGuest(liveCd = "${" + ISO + "}")
        static Guest guest;

        @Test
        void test() {
        }
    }

    @Test
    void badSettingsNameTheSettingAndWhatIsAllowed() {
        assertClassFailed(run(AnyGuest.class, Map.of("virtunit.boot.timeout", "soon")), AnyGuest.class,
                InvalidDeclarationException.class, "configuration parameter virtunit.boot.timeout is 'soon'; allowed: "
                        + "a positive number of seconds such as 120, or an ISO-8601 duration such as PT2M");
        assertClassFailed(run(AnyGuest.class, Map.of("virtunit.boot.timeout", "-3")), AnyGuest.class,
                InvalidDeclarationException.class, "configuration parameter virtunit.boot.timeout is '-3'; allowed: "
                        + "a positive number of seconds such as 120, or an ISO-8601 duration such as PT2M");
        assertClassFailed(run(AnyGuest.class, Map.of("virtunit.unavailable", "maybe")), AnyGuest.class,
                InvalidDeclarationException.class, "configuration parameter virtunit.unavailable is 'maybe'; allowed: "
                        + "skip, fail");
        assertClassFailed(run(AnyGuest.class, Map.of("virtunit.acceleration", "warp")), AnyGuest.class,
                InvalidDeclarationException.class, "configuration parameter virtunit.acceleration is 'warp'; allowed: "
                        + "auto, kvm, tcg");
    }
}
