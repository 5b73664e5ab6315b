package dev.virtunit.it.unavailable;

import dev.virtunit.Guest;
import dev.virtunit.HostUnavailableException;
import dev.virtunit.junit.LibvirtGuest;
import dev.virtunit.junit.LibvirtTest;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.container;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

/**
 * The build's own ITs fail, not skip, when libvirt is unavailable: this JVM has the settings Failsafe gives every
 * IT (the root pom sets {@code virtunit.unavailable=fail}), and a class with a guest, run in it against a libvirt
 * that is not there, must end FAILED with a message that names the URI and what to check. Were the build to drop
 * the setting, the class would be skipped and this would fail.
 */
class UnavailableLibvirtFailsIT {

    /** No such socket: libvirt's client refuses at once, as on a host whose libvirtd is not running. */
    private static final String UNREACHABLE = "qemu+unix:///system?socket=/nonexistent/virtunit-it/libvirt-sock";

    @LibvirtTest
    static class NeedsAGuest {
        @LibvirtGuest(image = "${virtunit.testImage}")
        static Guest guest;

        @Test
        void test() {
        }
    }

    @Test
    void aClassWithAGuestFailsWithTheUriAndTheRemedyWhenLibvirtCannotBeReached() {
        // A system property wins over the configuration parameter below; one set by hand would defeat the point.
        assumeTrue(System.getProperty("virtunit.libvirt.uri") == null,
                "skipped: -Dvirtunit.libvirt.uri is set, so the unreachable URI of this test would not be used");

        EngineExecutionResults results = EngineTestKit.engine("junit-jupiter")
                .configurationParameter("virtunit.libvirt.uri", UNREACHABLE)
                .selectors(selectClass(NeedsAGuest.class))
                .execute();

        results.containerEvents().assertStatistics(stats -> stats.skipped(0));
        results.containerEvents().assertThatEvents().haveExactly(1, event(container(NeedsAGuest.class),
                finishedWithFailure(instanceOf(HostUnavailableException.class), message(m ->
                        m.startsWith("cannot use libvirt at " + UNREACHABLE + ": cannot connect to libvirt at "
                                + UNREACHABLE) && m.contains("is libvirtd running? scripts/setup-host starts it")))));
        results.testEvents().assertStatistics(stats -> stats.started(0));
        assertThat(System.getProperty("virtunit.unavailable")).as("what Failsafe gives the ITs").isEqualTo("fail");
    }
}
