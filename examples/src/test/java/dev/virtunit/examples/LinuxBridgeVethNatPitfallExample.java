package dev.virtunit.examples;

import dev.virtunit.Bridge;
import dev.virtunit.Guest;
import dev.virtunit.junit.LibvirtGuest;
import dev.virtunit.junit.LibvirtTest;
import dev.virtunit.junit.LinuxBridge;
import dev.virtunit.Upstream;
import dev.virtunit.junit.UpstreamHost;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * "How NOT to do NAT'd, bridged guests with virtual ethernet devices", as a test that catches the bug. A Linux
 * bridge, a veth pair from the bridge to the host, the gateway address on the free veth end, masquerade toward the
 * uplink: the upstream sees the guest's own, untranslated address and the masquerade rule never counts a packet.
 *
 * <p>Why: with bridge netfilter on ({@code net.bridge.bridge-nf-call-iptables=1}, the usual setting on hosts that
 * run libvirt or containers), a packet crossing the Linux bridge already passes the IP hooks, so conntrack creates
 * the connection's entry there, when its way out is the veth, not the uplink; the masquerade rule does not match
 * then, and NAT is decided once per connection, so the later hop veth to uplink is never translated. An Open
 * vSwitch bridge is not in the kernel's bridge path, so the same set-up works there ({@link OvsBridgeNatExample}).
 */
@LibvirtTest
class LinuxBridgeVethNatPitfallExample {

    @UpstreamHost
    static Upstream internet;

    @LinuxBridge(gateway = Bridge.Gateway.ON_VETH, natUplink = "internet")
    static Bridge br0;

    @LibvirtGuest(image = "${virtunit.testImage}", network = "br0")
    static Guest guest;

    @BeforeAll
    static void bridgeNetfilterIsOn() throws Exception {
        Path setting = Path.of("/proc/sys/net/bridge/bridge-nf-call-iptables");
        assertThat(setting).as("bridge netfilter (module br_netfilter) is what this pitfall needs").exists();
        assertThat(Files.readString(setting).strip()).isEqualTo("1");
    }

    @Test
    void natIsNotAppliedAndTheGuestsOwnAddressLeaks() {
        assertThat(internet.sourceSeenFrom(guest, Duration.ofSeconds(5))).contains(guest.address());
        assertThat(br0.natTranslatedPackets()).isZero();
    }
}
