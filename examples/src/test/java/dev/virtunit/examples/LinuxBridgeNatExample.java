package dev.virtunit.examples;

import dev.virtunit.Bridge;
import dev.virtunit.Guest;
import dev.virtunit.junit.LibvirtGuest;
import dev.virtunit.junit.LibvirtTest;
import dev.virtunit.junit.LinuxBridge;
import dev.virtunit.Upstream;
import dev.virtunit.junit.UpstreamHost;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The seed's quick solution: a Linux bridge that holds the gateway address itself, masquerading toward the uplink.
 * It works: the upstream sees the host's address.
 */
@LibvirtTest
class LinuxBridgeNatExample {

    @UpstreamHost
    static Upstream internet;

    @LinuxBridge(gateway = Bridge.Gateway.ON_BRIDGE, natUplink = "internet")
    static Bridge br0;

    @LibvirtGuest(image = "${virtunit.testImage}", network = "br0")
    static Guest guest;

    @Test
    void natIsApplied() {
        assertThat(internet.sourceSeenFrom(guest, Duration.ofSeconds(5))).contains(internet.hostAddress());
        assertThat(br0.natTranslatedPackets()).isPositive();
    }
}
