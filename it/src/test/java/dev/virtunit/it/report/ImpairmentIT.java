package dev.virtunit.it.report;

import dev.virtunit.Bridge;
import dev.virtunit.Guest;
import dev.virtunit.Impairment;
import dev.virtunit.LinkConditions;
import dev.virtunit.VirtunitException;
import dev.virtunit.junit.LibvirtGuest;
import dev.virtunit.junit.LibvirtTest;
import dev.virtunit.junit.LinuxBridge;
import dev.virtunit.junit.OvsBridge;
import dev.virtunit.observe.PingResult;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Link impairments with real guests. An impaired link carries no SSH of the test's, so the guests' test NICs are on a
 * bridge without a host gateway and virtunit logs in through their management NICs; {@code b} pings {@code a}, whose
 * tap (an ordinary kernel device, also on the OVS userspace datapath) shapes what reaches {@code a}. Loss shows in
 * ping statistics, delay in round trips, a link taken down and a partition in reachability; each is undone by close.
 */
class ImpairmentIT {

    /** Neither reaches the other while partitioned, both still reach {@code third}, and they meet again after close. */
    static void assertPartitionedUntilClosed(Bridge lan, Guest one, Guest other, String third) {
        try (Impairment apart = lan.partition(one, other)) {
            assertThat(one.ping(other.address(), 2).received()).as(apart.description()).isZero();
            assertThat(other.ping(one.address(), 2).received()).as(apart.description()).isZero();
            assertThat(one.ping(third, 2).received()).isPositive();
            assertThat(other.ping(third, 2).received()).isPositive();
        }
        assertThat(one.ping(other.address(), 3).received()).isPositive();
    }

    @LibvirtTest
    @Nested
    class OnOpenVSwitch {
        @OvsBridge(gateway = Bridge.Gateway.NONE)
        static Bridge lan;

        @LibvirtGuest(image = "${virtunit.testImage}", network = "lan")
        static Guest a;

        @LibvirtGuest(image = "${virtunit.testImage}", network = "lan")
        static Guest b;

        @LibvirtGuest(image = "${virtunit.testImage}", network = "lan")
        static Guest c;

        @Test
        void fullLossMakesTheGuestUnreachableUntilClosed() {
            try (Impairment lost = a.link().impair(LinkConditions.loss(100))) {
                assertThat(b.ping(a.address(), 3).received()).isZero();
            }
            assertThat(b.ping(a.address(), 3).received()).isEqualTo(3);
        }

        @Test
        void partialLossLosesSomeButNotAll() {
            // 50% of 20 requests: all or none arrive with a chance of 2 in a million.
            try (Impairment lossy = a.link().impair(LinkConditions.loss(50))) {
                PingResult result = b.ping(a.address(), 20);
                assertThat(result.lossPercent()).as(result.output()).isGreaterThan(0).isLessThan(100);
            }
        }

        @Test
        void delayShowsInTheRoundTripAndGoesOnClose() {
            Impairment slow;
            try {
                slow = a.link().impair(LinkConditions.delay(Duration.ofMillis(200)));
            } catch (VirtunitException e) {
                Assumptions.assumeFalse(e.getMessage().contains("this kernel has no netem qdisc"), e.getMessage());
                throw e;
            }
            try (slow) {
                PingResult delayed = b.ping(a.address(), 3);
                assertThat(delayed.received()).as(delayed.output()).isEqualTo(3);
                assertThat(delayed.rttMinMs().orElseThrow()).as(delayed.output()).isGreaterThan(200);
            }
            PingResult after = b.ping(a.address(), 3);
            assertThat(after.rttMinMs().orElseThrow()).as(after.output()).isLessThan(200);
        }

        @Test
        void aLinkTakenDownCutsTheGuestOffUntilClosed() {
            try (Impairment down = a.link().down()) {
                assertThat(b.ping(a.address(), 2).received()).as(down.description()).isZero();
            }
            assertThat(b.ping(a.address(), 3).received()).isPositive();
        }

        @Test
        void aPartitionSeparatesTwoGuestsWhoStillReachTheThird() {
            assertPartitionedUntilClosed(lan, a, b, c.address());
        }
    }

    @LibvirtTest
    @Nested
    class OnALinuxBridge {
        @LinuxBridge
        static Bridge lan;

        @LibvirtGuest(image = "${virtunit.testImage}", network = "lan")
        static Guest d;

        @LibvirtGuest(image = "${virtunit.testImage}", network = "lan")
        static Guest e;

        @Test
        void aPartitionSeparatesTwoGuestsWhoStillReachTheGateway() {
            assertPartitionedUntilClosed(lan, d, e, lan.gateway());
        }
    }
}
