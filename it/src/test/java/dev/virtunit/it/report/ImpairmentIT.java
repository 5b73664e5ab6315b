package dev.virtunit.it.report;

import dev.virtunit.Bridge;
import dev.virtunit.Guest;
import dev.virtunit.Impairment;
import dev.virtunit.LinkConditions;
import dev.virtunit.junit.LibvirtGuest;
import dev.virtunit.junit.LibvirtTest;
import dev.virtunit.junit.LinuxBridge;
import dev.virtunit.junit.OvsBridge;
import dev.virtunit.observe.PingResult;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Link impairments with real guests: netem on a guest's tap (an ordinary kernel device also on the OVS userspace
 * datapath) shows as loss in ping statistics and as delay in round trips, a link taken down as unreachability, a
 * partition as two guests that cannot reach each other while both still reach the gateway; each undone by close.
 */
class ImpairmentIT {

    /** Neither reaches the other while partitioned, both reach the gateway, and they meet again after close. */
    static void assertPartitionedUntilClosed(Bridge lan, Guest one, Guest other) {
        try (Impairment apart = lan.partition(one, other)) {
            assertThat(one.ping(other.address(), 2).received()).as(apart.description()).isZero();
            assertThat(other.ping(one.address(), 2).received()).as(apart.description()).isZero();
            assertThat(one.ping(lan.gateway(), 2).received()).isPositive();
            assertThat(other.ping(lan.gateway(), 2).received()).isPositive();
        }
        assertThat(one.ping(other.address(), 3).received()).isPositive();
    }

    @LibvirtTest
    @Nested
    class OnOpenVSwitch {
        @OvsBridge
        static Bridge lan;

        @LibvirtGuest(image = "${virtunit.testImage}", network = "lan")
        static Guest a;

        @LibvirtGuest(image = "${virtunit.testImage}", network = "lan")
        static Guest b;

        @Test
        void delayShowsInTheRoundTripAndGoesOnClose() {
            try (Impairment slow = a.link().impair(LinkConditions.delay(Duration.ofMillis(200)))) {
                PingResult delayed = a.ping(lan.gateway(), 3);
                assertThat(delayed.received()).as(delayed.output()).isEqualTo(3);
                assertThat(delayed.rttMinMs().orElseThrow()).as(delayed.output()).isGreaterThan(200);
            }
            PingResult after = a.ping(lan.gateway(), 3);
            assertThat(after.rttMinMs().orElseThrow()).as(after.output()).isLessThan(200);
        }

        @Test
        void fullLossMakesTheGatewayUnreachableUntilClosed() {
            try (Impairment lost = a.link().impair(LinkConditions.loss(100))) {
                assertThat(a.ping(lan.gateway(), 3).received()).isZero();
            }
            assertThat(a.ping(lan.gateway(), 3).received()).isPositive();
        }

        @Test
        void partialLossLosesSomeButNotAll() {
            // 50% of 20 replies: all or none arrive with a chance of 2 in a million.
            try (Impairment lossy = a.link().impair(LinkConditions.loss(50))) {
                PingResult result = a.ping(lan.gateway(), 20);
                assertThat(result.lossPercent()).as(result.output()).isGreaterThan(0).isLessThan(100);
            }
        }

        @Test
        void aLinkTakenDownCutsTheGuestOffUntilClosed() {
            try (Impairment down = a.link().down()) {
                assertThat(a.ping(lan.gateway(), 2).received()).isZero();
            }
            assertThat(a.ping(lan.gateway(), 3).received()).isPositive();
        }

        @Test
        void aPartitionSeparatesTwoGuestsWhoStillReachTheGateway() {
            assertPartitionedUntilClosed(lan, a, b);
        }
    }

    @LibvirtTest
    @Nested
    class OnALinuxBridge {
        @LinuxBridge
        static Bridge lan;

        @LibvirtGuest(image = "${virtunit.testImage}", network = "lan")
        static Guest c;

        @LibvirtGuest(image = "${virtunit.testImage}", network = "lan")
        static Guest d;

        @Test
        void aPartitionSeparatesTwoGuestsWhoStillReachTheGateway() {
            assertPartitionedUntilClosed(lan, c, d);
        }
    }
}
