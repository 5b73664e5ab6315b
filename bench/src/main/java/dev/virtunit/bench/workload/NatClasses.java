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
 * Four test classes as a user writes them, each with its own upstream, OVS bridge with NAT and two guests, and one
 * test that pings the upstream from both: the workload the benchmark runs through the JUnit Platform Launcher with
 * the classes concurrent and one after another. Networks are static fields, so each class declares its own; the
 * guests and the test are shared through {@link TwoGuestsBehindNat}. Nested here, not top-level, so no test runner
 * picks them up by name.
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

    /** Two guests on the subclass's bridge {@code lan}; the test pings the subclass's upstream from both. */
    @LibvirtTest
    public abstract static class TwoGuestsBehindNat {
        @LibvirtGuest(image = "${virtunit.testImage}", network = "lan")
        Guest one;
        @LibvirtGuest(image = "${virtunit.testImage}", network = "lan")
        Guest two;

        abstract Upstream upstream();

        @Test
        void bothGuestsReachTheUpstreamThroughNat() {
            assertThat(one.ping(upstream().address(), 1)).isReachable();
            assertThat(two.ping(upstream().address(), 1)).isReachable();
        }
    }

    /** The first of four classes. */
    public static class First extends TwoGuestsBehindNat {
        @UpstreamHost
        static Upstream internet;
        @OvsBridge(gateway = Bridge.Gateway.ON_VETH, natUplink = "internet")
        static Bridge lan;

        @Override
        Upstream upstream() {
            return internet;
        }
    }

    /** The second of four classes. */
    public static class Second extends TwoGuestsBehindNat {
        @UpstreamHost
        static Upstream internet;
        @OvsBridge(gateway = Bridge.Gateway.ON_VETH, natUplink = "internet")
        static Bridge lan;

        @Override
        Upstream upstream() {
            return internet;
        }
    }

    /** The third of four classes. */
    public static class Third extends TwoGuestsBehindNat {
        @UpstreamHost
        static Upstream internet;
        @OvsBridge(gateway = Bridge.Gateway.ON_VETH, natUplink = "internet")
        static Bridge lan;

        @Override
        Upstream upstream() {
            return internet;
        }
    }

    /** The fourth of four classes. */
    public static class Fourth extends TwoGuestsBehindNat {
        @UpstreamHost
        static Upstream internet;
        @OvsBridge(gateway = Bridge.Gateway.ON_VETH, natUplink = "internet")
        static Bridge lan;

        @Override
        Upstream upstream() {
            return internet;
        }
    }
}
