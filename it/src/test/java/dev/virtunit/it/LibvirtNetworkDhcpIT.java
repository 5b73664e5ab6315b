package dev.virtunit.it;

import dev.virtunit.Guest;
import dev.virtunit.HostPing;
import dev.virtunit.junit.LibvirtGuest;
import dev.virtunit.junit.LibvirtNetwork;
import dev.virtunit.junit.LibvirtTest;
import dev.virtunit.Network;
import dev.virtunit.junit.Nic;
import org.junit.jupiter.api.Test;

import static dev.virtunit.assertions.VirtunitAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/** A libvirt network's DHCP range and static DHCP entries, and pings from the host to guests. */
@LibvirtTest
class LibvirtNetworkDhcpIT {

    @LibvirtNetwork(mode = Network.Mode.ISOLATED, dhcpRange = {150, 160}, dhcpHosts = "52:54:00:ab:cd:01=.42")
    static Network office;

    @LibvirtGuest(image = "${virtunit.testImage}", nics = @Nic(network = "office", mac = "52:54:00:ab:cd:01"))
    static Guest reserved;

    @LibvirtGuest(image = "${virtunit.testImage}", network = "office")
    static Guest leased;

    @Test
    void aStaticDhcpEntryGivesItsMacItsAddressAndOthersComeFromTheRange() {
        assertThat(reserved.mac()).isEqualTo("52:54:00:ab:cd:01");
        assertThat(reserved.address()).endsWith(".42");
        int host = Integer.parseInt(leased.address().substring(leased.address().lastIndexOf('.') + 1));
        assertThat(host).isBetween(150, 160);
        assertThat(office.xml()).contains("<host mac='52:54:00:ab:cd:01'", "<range start='" + office.gateway().replaceAll("1$", "150") + "'");
    }

    @Test
    void theHostReachesGuestsAndGuestsReachEachOther() {
        assertThat(HostPing.ping(reserved)).isReachable().hasNoLoss();
        assertThat(HostPing.ping(leased.address(), 2)).isReachable();
        assertThat(reserved).canReach(leased);
        assertThat(HostPing.ping(office.gateway().replaceAll("1$", "99"), 1)).isUnreachable();
    }
}
