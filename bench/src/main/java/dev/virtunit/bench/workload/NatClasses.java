package dev.virtunit.bench.workload;

import dev.virtunit.Bridge;
import dev.virtunit.Guest;
import dev.virtunit.Upstream;
import dev.virtunit.junit.LibvirtGuest;
import dev.virtunit.junit.LibvirtTest;
import dev.virtunit.junit.OvsBridge;
import dev.virtunit.junit.UpstreamHost;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.virtunit.assertions.VirtunitAssertions.assertThat;

/**
 * Four test classes as a user writes them, each its own upstream, OVS bridge with NAT and two guests, and one test
 * that pings the upstream from both: the workload the benchmark runs through the JUnit Platform Launcher with the
 * classes concurrent and one after another. Nested here, not top-level, so no test runner picks them up by name.
 *
 * @since 0.3
 */
public final class NatClasses {

    private NatClasses() {
    }

    /** {@return the four classes} */
    public static List<Class<?>> all() {
        return List.of(First.class, Second.class, Third.class, Fourth.class);
    }

    static void bothReachTheUpstream(Guest one, Guest two, Upstream internet) {
        assertThat(one.ping(internet.address(), 1)).isReachable();
        assertThat(two.ping(internet.address(), 1)).isReachable();
    }

    /** The first of four identical classes. */
    @LibvirtTest
    public static class First {
        @UpstreamHost
        static Upstream internet;
        @OvsBridge(gateway = Bridge.Gateway.ON_VETH, natUplink = "internet")
        static Bridge lan;
        @LibvirtGuest(image = "${virtunit.testImage}", network = "lan")
        static Guest one;
        @LibvirtGuest(image = "${virtunit.testImage}", network = "lan")
        static Guest two;

        @Test
        void bothGuestsReachTheUpstreamThroughNat() {
            bothReachTheUpstream(one, two, internet);
        }
    }

    /** The second of four identical classes. */
    @LibvirtTest
    public static class Second {
        @UpstreamHost
        static Upstream internet;
        @OvsBridge(gateway = Bridge.Gateway.ON_VETH, natUplink = "internet")
        static Bridge lan;
        @LibvirtGuest(image = "${virtunit.testImage}", network = "lan")
        static Guest one;
        @LibvirtGuest(image = "${virtunit.testImage}", network = "lan")
        static Guest two;

        @Test
        void bothGuestsReachTheUpstreamThroughNat() {
            bothReachTheUpstream(one, two, internet);
        }
    }

    /** The third of four identical classes. */
    @LibvirtTest
    public static class Third {
        @UpstreamHost
        static Upstream internet;
        @OvsBridge(gateway = Bridge.Gateway.ON_VETH, natUplink = "internet")
        static Bridge lan;
        @LibvirtGuest(image = "${virtunit.testImage}", network = "lan")
        static Guest one;
        @LibvirtGuest(image = "${virtunit.testImage}", network = "lan")
        static Guest two;

        @Test
        void bothGuestsReachTheUpstreamThroughNat() {
            bothReachTheUpstream(one, two, internet);
        }
    }

    /** The fourth of four identical classes. */
    @LibvirtTest
    public static class Fourth {
        @UpstreamHost
        static Upstream internet;
        @OvsBridge(gateway = Bridge.Gateway.ON_VETH, natUplink = "internet")
        static Bridge lan;
        @LibvirtGuest(image = "${virtunit.testImage}", network = "lan")
        static Guest one;
        @LibvirtGuest(image = "${virtunit.testImage}", network = "lan")
        static Guest two;

        @Test
        void bothGuestsReachTheUpstreamThroughNat() {
            bothReachTheUpstream(one, two, internet);
        }
    }
}
