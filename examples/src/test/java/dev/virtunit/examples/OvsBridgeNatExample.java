package dev.virtunit.examples;

import dev.virtunit.Bridge;
import dev.virtunit.Guest;
import dev.virtunit.junit.LibvirtGuest;
import dev.virtunit.junit.LibvirtTest;
import dev.virtunit.junit.OvsBridge;
import dev.virtunit.Upstream;
import dev.virtunit.junit.UpstreamHost;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static dev.virtunit.assertions.VirtunitAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The seed's fix: an Open vSwitch bridge with no physical port, a veth pair between bridge and host, the gateway
 * address on the free veth end, and masquerade toward the uplink. With OVS (not in the kernel's bridge path) NAT
 * is applied: the upstream sees the host's address. The "outside world" is a namespace the test creates.
 */
@LibvirtTest
class OvsBridgeNatExample {

    @UpstreamHost
    static Upstream internet;

    @OvsBridge(gateway = Bridge.Gateway.ON_VETH, natUplink = "internet")
    static Bridge lan;

    @LibvirtGuest(image = "${virtunit.testImage}", network = "lan")
    static Guest guest;

    @Test
    void theUpstreamSeesTheHostNotTheGuest() {
        assertThat(guest.ping(internet.address())).isReachable();
        assertThat(internet.sourceSeenFrom(guest, Duration.ofSeconds(5))).contains(internet.hostAddress());
        assertThat(lan.natTranslatedPackets()).isPositive();
    }

    @Test
    void tcpThroughTheUserspaceDatapathWorks() {
        // The echo service greets each TCP client with the address it sees.
        assertThat(guest.ssh().exec("echo hi | nc -w 3 " + internet.address() + " " + internet.tcpPort()))
                .succeeded().stdoutContains("peer " + internet.hostAddress());
    }
}
