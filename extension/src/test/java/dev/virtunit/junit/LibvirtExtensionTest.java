package dev.virtunit.junit;

import dev.virtunit.Bridge;
import dev.virtunit.Guest;
import dev.virtunit.HostUnavailableException;
import dev.virtunit.InvalidDeclarationException;
import dev.virtunit.Network;

import dev.virtunit.internal.host.Command;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.testkit.engine.EngineExecutionResults;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.testkit.engine.EventConditions.container;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.skippedWithReason;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

/**
 * The JUnit adapter, run through real JUnit on small test-case classes. Each declaration mistake must fail before
 * anything is created, with a message naming the element, the rule and the remedy. libvirt here is the in-memory
 * {@code test:///default} driver: nothing in these cases gets as far as booting.
 */
class LibvirtExtensionTest {

    private static final String IMAGE_PROPERTY = "virtunit.extension-test.image";

    @TempDir
    static Path scratch;

    private final Path stateDir = scratch.resolve("state-" + System.nanoTime());

    @BeforeAll
    static void makeImage() {
        Path image = scratch.resolve("tiny.qcow2");
        Command.check(Duration.ofSeconds(30), "qemu-img", "create", "-q", "-f", "qcow2", image.toString(), "64M");
        System.setProperty(IMAGE_PROPERTY, image.toString());
    }

    @AfterAll
    static void forgetImage() {
        System.clearProperty(IMAGE_PROPERTY);
    }

    private EngineExecutionResults run(Class<?> testCase, Map<String, String> parameters) {
        return ExtensionRuns.run(testCase, stateDir, parameters);
    }

    private EngineExecutionResults run(Class<?> testCase) {
        return run(testCase, Map.of());
    }

    private static void assertClassFailed(EngineExecutionResults results, Class<?> testCase,
                                          Class<? extends Throwable> type, String expectedMessage) {
        ExtensionRuns.assertClassFailed(results, testCase, type, expectedMessage);
    }

    // ---- declaration mistakes ----

    @LibvirtTest
    static class FinalField {
        @LibvirtGuest(image = "${" + IMAGE_PROPERTY + "}")
        static final Guest guest = null;

        @Test
        void test() {
        }
    }

    @Test
    void aFinalFieldIsRefusedWithTheDeclarationToUse() {
        assertClassFailed(run(FinalField.class), FinalField.class, InvalidDeclarationException.class,
                "@LibvirtGuest field [dev.virtunit.junit.LibvirtExtensionTest$FinalField.guest] must not be final; "
                        + "declare it as `static Guest guest;`");
    }

    @LibvirtTest
    static class WrongType {
        @LibvirtGuest(image = "${" + IMAGE_PROPERTY + "}")
        static String guest;

        @Test
        void test() {
        }
    }

    @Test
    void aFieldOfAnotherTypeIsRefused() {
        assertClassFailed(run(WrongType.class), WrongType.class, InvalidDeclarationException.class,
                "@LibvirtGuest field [dev.virtunit.junit.LibvirtExtensionTest$WrongType.guest] has type java.lang.String; "
                        + "it must be dev.virtunit.Guest. Declare it as `static Guest guest;`");
    }

    @LibvirtTest
    static class MissingImage {
        @LibvirtGuest(image = "no/such/image.qcow2")
        static Guest guest;

        @Test
        void test() {
        }
    }

    @Test
    void aMissingImageIsNamedWithWhereItWasLookedFor() {
        assertClassFailed(run(MissingImage.class), MissingImage.class, InvalidDeclarationException.class,
                "@LibvirtGuest field [dev.virtunit.junit.LibvirtExtensionTest$MissingImage.guest] is invalid: image "
                        + "'no/such/image.qcow2' does not exist (resolved to " + Path.of("no/such/image.qcow2").toAbsolutePath()
                        + "); check the path, relative paths are resolved against the working directory");
    }

    @LibvirtTest
    static class TwoWaysToBoot {
        @LibvirtGuest(image = "${" + IMAGE_PROPERTY + "}", liveCd = "${" + IMAGE_PROPERTY + "}")
        static Guest guest;

        @Test
        void test() {
        }
    }

    @Test
    void anImageAndALiveCdAreRefused() {
        assertClassFailed(run(TwoWaysToBoot.class), TwoWaysToBoot.class, InvalidDeclarationException.class,
                "@LibvirtGuest field [dev.virtunit.junit.LibvirtExtensionTest$TwoWaysToBoot.guest] is invalid: image and "
                        + "liveCd were both given; a guest boots one way: keep one");
    }

    @LibvirtTest
    static class BadAttributes {
        @LibvirtGuest(image = "${" + IMAGE_PROPERTY + "}", memoryMiB = 16, vcpus = 0, acceleration = "tcg",
                address = "192.168.77.300/24")
        static Guest guest;

        @Test
        void test() {
        }
    }

    @Test
    void everyBadAttributeIsNamedAtOnce() {
        assertClassFailed(run(BadAttributes.class), BadAttributes.class, InvalidDeclarationException.class,
                "@LibvirtGuest field [dev.virtunit.junit.LibvirtExtensionTest$BadAttributes.guest] is invalid: memoryMiB 16 "
                        + "is out of range; give 64 or more (256 suits small test images); vcpus 0 is out of range; give 1 "
                        + "to 64; address '192.168.77.300/24' is not an IPv4 address in CIDR notation such as 192.168.77.10/24");
    }

    @LibvirtTest
    static class UnknownAcceleration {
        @LibvirtGuest(image = "${" + IMAGE_PROPERTY + "}", acceleration = "warp")
        static Guest guest;

        @Test
        void test() {
        }
    }

    @Test
    void anUnknownAccelerationIsNamedWithTheChoices() {
        assertClassFailed(run(UnknownAcceleration.class), UnknownAcceleration.class, InvalidDeclarationException.class,
                "@LibvirtGuest field [dev.virtunit.junit.LibvirtExtensionTest$UnknownAcceleration.guest] is invalid: "
                        + "acceleration 'warp' is not one of auto, kvm, tcg");
    }

    @LibvirtTest
    static class UnsetPlaceholder {
        @LibvirtGuest(image = "${virtunit.no-such-property}/tiny.qcow2")
        static Guest guest;

        @Test
        void test() {
        }
    }

    @Test
    void anUnsetPlaceholderSaysWhatToSet() {
        assertClassFailed(run(UnsetPlaceholder.class), UnsetPlaceholder.class, InvalidDeclarationException.class,
                "@LibvirtGuest field [dev.virtunit.junit.LibvirtExtensionTest$UnsetPlaceholder.guest] is invalid: image "
                        + "'${virtunit.no-such-property}/tiny.qcow2' uses ${virtunit.no-such-property}, but there is no "
                        + "system property or environment variable virtunit.no-such-property; set it (e.g. "
                        + "-Dvirtunit.no-such-property=...) or write the path out");
    }

    @LibvirtTest
    static class NameInUse {
        // test:///default always has a domain called "test".
        @LibvirtGuest(image = "${" + IMAGE_PROPERTY + "}", name = "test")
        static Guest guest;

        @Test
        void test() {
        }
    }

    @Test
    void aNameInUseFailsLikeVirtInstall() {
        assertClassFailed(run(NameInUse.class), NameInUse.class, InvalidDeclarationException.class,
                "Guest name 'test' is already in use. Choose another name, leave the name out so virtunit picks a "
                        + "unique one, or remove the existing guest: virsh destroy test; virsh undefine test");
    }

    @Target(ElementType.FIELD)
    @Retention(RetentionPolicy.RUNTIME)
    @LibvirtGuest(image = "images/router.qcow2", memoryMiB = 512)
    @interface RouterGuest {
    }

    @LibvirtTest
    static class ComposedAnnotation {
        @RouterGuest
        static Guest router;

        @Test
        void test() {
        }
    }

    @Test
    void aComposedAnnotationIsFoundAndItsAttributesUsed() {
        assertClassFailed(run(ComposedAnnotation.class), ComposedAnnotation.class, InvalidDeclarationException.class,
                "@LibvirtGuest field [dev.virtunit.junit.LibvirtExtensionTest$ComposedAnnotation.router] is invalid: image "
                        + "'images/router.qcow2' does not exist (resolved to " + Path.of("images/router.qcow2").toAbsolutePath()
                        + "); check the path, relative paths are resolved against the working directory");
    }

    @LibvirtTest
    static class WrongParameterType {
        @Test
        void test(@LibvirtGuest(image = "${" + IMAGE_PROPERTY + "}") String guest) {
        }
    }

    @Test
    void aParameterOfAnotherTypeIsRefused() throws Exception {
        EngineExecutionResults results = run(WrongParameterType.class);
        results.testEvents().assertThatEvents().haveExactly(1, event(test("test"), finishedWithFailure(
                instanceOf(org.junit.jupiter.api.extension.ParameterResolutionException.class),
                message(m -> m.endsWith("@LibvirtGuest parameter [arg0] of void dev.virtunit.junit.LibvirtExtensionTest$"
                        + "WrongParameterType.test(java.lang.String) has type java.lang.String; it must be dev.virtunit.Guest")))));
    }

    @LibvirtTest
    static class BadDhcpRange {
        @LibvirtNetwork(dhcpRange = {200, 100})
        static Network office;

        @Test
        void test() {
        }
    }

    @Test
    void aDhcpRangeBackwardsIsNamed() {
        assertClassFailed(run(BadDhcpRange.class), BadDhcpRange.class, InvalidDeclarationException.class,
                "@LibvirtNetwork field [dev.virtunit.junit.LibvirtExtensionTest$BadDhcpRange.office] is invalid: DHCP range "
                        + ".200 to .100 is not within .2 to .254 (the host is .1), first before last");
    }

    @LibvirtTest
    static class InstanceBridge {
        @OvsBridge
        Bridge lan;

        @Test
        void test() {
        }
    }

    @Test
    void aBridgeMustLiveForTheClass() {
        assertClassFailed(run(InstanceBridge.class), InstanceBridge.class, InvalidDeclarationException.class,
                "@OvsBridge field [dev.virtunit.junit.LibvirtExtensionTest$InstanceBridge.lan] must be static: networks live "
                        + "for the whole class. Declare it as `static Bridge lan;`");
    }

    @LibvirtTest
    static class UnknownNetwork {
        @LibvirtGuest(image = "${" + IMAGE_PROPERTY + "}", network = "lan")
        static Guest guest;

        @Test
        void test() {
        }
    }

    @Test
    void aGuestOnAnUndeclaredNetworkSaysWhatToDeclare() {
        assertClassFailed(run(UnknownNetwork.class), UnknownNetwork.class, InvalidDeclarationException.class,
                "@LibvirtGuest field [dev.virtunit.junit.LibvirtExtensionTest$UnknownNetwork.guest] is invalid: network 'lan' "
                        + "names no @OvsBridge, @LinuxBridge or @LibvirtNetwork static field of the test class; declare "
                        + "one, e.g. `@OvsBridge static Bridge lan;`");
    }

    // ---- configuration and host ----

    @LibvirtTest
    static class AnyGuest {
        @LibvirtGuest(image = "${" + IMAGE_PROPERTY + "}")
        static Guest guest;

        @Test
        void test() {
        }
    }

    @Test
    void aBadConfigurationValueNamesTheSettingAndTheChoices() {
        EngineExecutionResults results = run(AnyGuest.class, Map.of("virtunit.cleanup", "sometimes"));
        assertClassFailed(results, AnyGuest.class, InvalidDeclarationException.class,
                "configuration parameter virtunit.cleanup is 'sometimes'; allowed: always, on-success, never");
    }

    @Test
    void aHostWithoutLibvirtSkipsTheClassWithTheReason() {
        EngineExecutionResults results = run(AnyGuest.class, Map.of("virtunit.libvirt.uri", "test:///no/such/file.xml"));

        results.containerEvents().assertThatEvents().haveExactly(1, event(container(AnyGuest.class),
                skippedWithReason(reason -> reason.startsWith("virtunit: this host cannot run guests: cannot use libvirt at "
                        + "test:///no/such/file.xml: ") && reason.endsWith("(set virtunit.unavailable=fail to fail instead of skipping)"))));
    }

    @Test
    void aHostWithoutLibvirtFailsTheClassWhenToldTo() {
        EngineExecutionResults results = run(AnyGuest.class,
                Map.of("virtunit.libvirt.uri", "test:///no/such/file.xml", "virtunit.unavailable", "fail"));

        results.containerEvents().assertThatEvents().haveExactly(1, event(container(AnyGuest.class),
                finishedWithFailure(instanceOf(HostUnavailableException.class),
                        message(m -> m.startsWith("cannot use libvirt at test:///no/such/file.xml: ")))));
    }
}
