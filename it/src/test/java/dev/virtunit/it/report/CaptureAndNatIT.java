package dev.virtunit.it.report;

import dev.virtunit.Bridge;
import dev.virtunit.Capture;
import dev.virtunit.Guest;
import dev.virtunit.Upstream;
import dev.virtunit.junit.LibvirtGuest;
import dev.virtunit.junit.LibvirtTest;
import dev.virtunit.junit.OvsBridge;
import dev.virtunit.junit.UpstreamHost;
import dev.virtunit.observe.NatCounters;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Captures and the NAT's view with a real guest behind a masquerading OVS bridge: a ping from the guest shows in a
 * capture on its port with its own address, in a capture on the uplink with the host's address, and in conntrack as
 * a connection whose reply goes to the host's uplink address; the masquerade counter counted it.
 */
@LibvirtTest
class CaptureAndNatIT {

    @UpstreamHost
    static Upstream internet;

    @OvsBridge(gateway = Bridge.Gateway.ON_VETH, natUplink = "internet")
    static Bridge lan;

    @LibvirtGuest(image = "${virtunit.testImage}", network = "lan")
    static Guest client;

    @Test
    void aPingThroughNatShowsInBothCapturesTranslatedOnTheUplink() {
        Capture port = client.link().capture(Duration.ofSeconds(60));
        Capture uplink = lan.captureUplink(Duration.ofSeconds(60));
        try (port; uplink) {
            assertThat(client.ping(internet.address(), 3).received()).isEqualTo(3);
        }

        assertThat(port.decoded()).contains(client.address() + " > " + internet.address() + ": ICMP echo request");
        assertThat(uplink.decoded()).contains(internet.hostAddress() + " > " + internet.address() + ": ICMP echo request")
                .doesNotContain(client.address());
        assertThat(uplink.packetCount()).as(uplink.decoded()).isGreaterThanOrEqualTo(6);
        assertThat(uplink.pcap()).isRegularFile();
    }

    @Test
    void theNatViewShowsTheMasqueradedConnectionAndItsCounter() {
        long before = lan.nat().counters().masquerade().packets();

        assertThat(client.ping(internet.address(), 2).received()).isEqualTo(2);

        assertThat(lan.nat().connections()).anySatisfy(connection -> {
            assertThat(connection.protocol()).isEqualTo("icmp");
            assertThat(connection.originalSource()).isEqualTo(client.address());
            assertThat(connection.originalDestination()).isEqualTo(internet.address());
            assertThat(connection.replyDestination()).isEqualTo(internet.hostAddress());
            assertThat(connection.sourceTranslated()).isTrue();
        });
        NatCounters counters = lan.nat().counters();
        assertThat(counters.masquerade().packets()).isGreaterThan(before);
        assertThat(counters.portForwards()).isEmpty();
    }
}
