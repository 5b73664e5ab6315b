package dev.virtunit.examples;

import dev.virtunit.Guest;
import dev.virtunit.junit.LibvirtGuest;
import dev.virtunit.junit.LibvirtNetwork;
import dev.virtunit.junit.LibvirtTest;
import dev.virtunit.Network;
import dev.virtunit.Upstream;
import dev.virtunit.junit.UpstreamHost;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static dev.virtunit.assertions.VirtunitAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The seed's first step, libvirt's {@code default} network (a bridge with the host at .1, NAT, DHCP by dnsmasq),
 * made, started and removed by the test instead of by hand with {@code virsh net-define} / {@code net-start}.
 * Its NAT goes only toward the test's own upstream host, never the real network.
 */
@LibvirtTest
class LibvirtNatNetworkExample {

    @UpstreamHost
    static Upstream internet;

    @LibvirtNetwork(mode = Network.Mode.NAT, uplink = "internet")
    static Network defaultNetwork;

    @LibvirtGuest(image = "${virtunit.testImage}", network = "defaultNetwork")
    static Guest guest;

    @Test
    void theGuestGetsADhcpLeaseFromLibvirt() {
        assertThat(guest.address()).startsWith(defaultNetwork.gateway().replaceAll("\\.1$", "."));
        int lastOctet = Integer.parseInt(guest.address().substring(guest.address().lastIndexOf('.') + 1));
        assertThat(lastOctet).isBetween(100, 254);
        assertThat(guest.ssh().exec("ip route")).succeeded().stdoutContains("default via " + defaultNetwork.gateway());
        assertThat(defaultNetwork.xml()).contains("<forward dev='" + internet.uplinkInterface() + "' mode='nat'>");
    }

    @Test
    void theGuestReachesTheUpstreamTranslated() {
        assertThat(guest).canReach(internet).appearsToUpstreamAs(internet, internet.hostAddress());
    }
}
