package dev.virtunit.it;

import dev.virtunit.Bridge;
import dev.virtunit.Guest;
import dev.virtunit.junit.LibvirtGuest;
import dev.virtunit.junit.LibvirtNetwork;
import dev.virtunit.junit.LibvirtTest;
import dev.virtunit.Network;
import dev.virtunit.junit.Nic;
import dev.virtunit.junit.OvsBridge;
import dev.virtunit.Upstream;
import dev.virtunit.junit.UpstreamHost;
import dev.virtunit.assertions.Reachability;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static dev.virtunit.assertions.VirtunitAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Network attributes with real guests: port forwards, inbound filtering, VLANs, several NICs, libvirt modes. */
class NatAndVlanIT {

    private static final Duration PROBE = Duration.ofSeconds(5);

    @LibvirtTest
    @Nested
    class PortForwards {
        @UpstreamHost
        static Upstream internet;

        @OvsBridge(gateway = Bridge.Gateway.ON_VETH, natUplink = "internet", portForwards = "tcp:8080->.50:8000")
        static Bridge lan;

        @LibvirtGuest(image = "${virtunit.testImage}", nics = @Nic(network = "lan", address = ".50"))
        static Guest server;

        @Test
        void aPortForwardLetsTheUpstreamReachTheGuest() {
            // busybox httpd as the guest's service; it daemonizes itself, so it outlives the SSH session.
            assertThat(server.ssh().exec("httpd -p 8000 -h /tmp")).succeeded();
            assertThat(server.address()).endsWith(".50");

            // The probe's one line is no HTTP request, so the guest's httpd answers with an HTTP error: proof enough
            // that the connection went through the forward to the guest.
            assertThat(internet.tcpFrom(internet.hostAddress(), 8080, PROBE)).hasValueSatisfying(
                    answer -> assertThat(answer).startsWith("HTTP/1."));
        }

        @Test
        void withoutAPortForwardNothingGetsInEvenWithARoute() {
            internet.routeThroughHost(lan);
            long blockedBefore = lan.natBlockedInboundPackets();

            assertThat(internet.tcpFrom(server.address(), 22, Duration.ofSeconds(3))).isEmpty();
            assertThat(lan.natBlockedInboundPackets()).isGreaterThan(blockedBefore);
            // Outbound still works and is translated.
            Reachability.matrix().allow(server, internet).seenAs(internet.hostAddress()).verify();
        }
    }

    @LibvirtTest
    @Nested
    class Vlans {
        @OvsBridge(gateway = Bridge.Gateway.NONE)
        static Bridge trunk;

        @LibvirtGuest(image = "${virtunit.testImage}", network = "trunk", vlan = 10)
        static Guest red1;

        @LibvirtGuest(image = "${virtunit.testImage}", network = "trunk", vlan = 10)
        static Guest red2;

        @LibvirtGuest(image = "${virtunit.testImage}", network = "trunk", vlan = 20)
        static Guest blue;

        @Test
        void onlyPortsOfTheSameVlanReachEachOther() {
            Reachability.matrix()
                    .allow(red1, red2).allow(red2, red1)
                    .deny(red1, blue).deny(blue, red2)
                    .verify();
        }

        @Test
        void aFailingMatrixShowsEveryExpectationWithWhatWasObserved() {
            assertThatThrownBy(() -> Reachability.matrix().allow(red1, red2).allow(red1, blue).verify())
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("  ok    " + red1.name() + " -> " + red2.name())
                    .hasMessageContaining("  FAIL  " + red1.name() + " -> " + blue.name() + " (" + blue.address()
                            + "): expected reachable; observed unreachable (0/2 replies)");
        }
    }

    @LibvirtTest
    @Nested
    class SeveralNicsAndLibvirtModes {
        @UpstreamHost
        static Upstream internet;

        @OvsBridge
        static Bridge left;

        @LibvirtNetwork(mode = Network.Mode.ROUTE, uplink = "internet")
        static Network routed;

        @LibvirtNetwork(mode = Network.Mode.ISOLATED)
        static Network isolated;

        @LibvirtGuest(image = "${virtunit.testImage}", nics = {@Nic(network = "left"), @Nic(network = "isolated", address = ".20/24")})
        static Guest twoNics;

        @LibvirtGuest(image = "${virtunit.testImage}", network = "routed")
        static Guest routedGuest;

        @Test
        void aGuestWithTwoNicsHasBothAddressesInOrder() {
            assertThat(twoNics.addresses()).hasSize(2);
            assertThat(twoNics.addresses().get(1)).endsWith(".20");
            assertThat(twoNics.ssh().exec("ip -4 -o addr show eth0; ip -4 -o addr show eth1")).succeeded()
                    .stdoutContains(twoNics.addresses().get(0) + "/24").stdoutContains(twoNics.addresses().get(1) + "/24");
            assertThat(twoNics).canReach(isolated.gateway()).canReach(left.gateway());
        }

        @Test
        void aRoutedNetworkForwardsWithoutTranslatingAndAnIsolatedOneForwardsNothing() {
            // Routed: the upstream sees the guest's own address (and, with no route back, cannot answer).
            assertThat(internet.sourceSeenFrom(routedGuest, PROBE)).contains(routedGuest.address());
            assertThat(routed.xml()).contains("mode='route'");
            // Isolated: no path out at all.
            assertThat(isolated.xml()).doesNotContain("<forward");
            assertThat(twoNics).cannotReach(internet);
        }
    }
}
