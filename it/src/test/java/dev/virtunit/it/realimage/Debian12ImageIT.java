package dev.virtunit.it.realimage;

import dev.virtunit.Bridge;
import dev.virtunit.Guest;
import dev.virtunit.Network;
import dev.virtunit.Upstream;
import dev.virtunit.junit.LibvirtGuest;
import dev.virtunit.junit.LibvirtNetwork;
import dev.virtunit.junit.LibvirtTest;
import dev.virtunit.junit.OvsBridge;
import dev.virtunit.junit.UpstreamHost;

/** The real-image contract on Debian 12 (bookworm: cloud-init 22.4, ifupdown), built by scripts/build-cloud-image. */
@LibvirtTest
class Debian12ImageIT extends RealImageContract {

    @UpstreamHost
    static Upstream internet;

    @OvsBridge(gateway = Bridge.Gateway.ON_VETH, natUplink = "internet")
    static Bridge lan;

    @LibvirtNetwork(mode = Network.Mode.ISOLATED)
    static Network office;

    @LibvirtGuest(image = "${virtunit.debian12Image}", network = "lan", memoryMiB = 512, vcpus = 2, user = USER,
            userData = USER_DATA, bootTimeoutSeconds = BOOT_TIMEOUT_SECONDS)
    static Guest guest;

    @LibvirtGuest(image = "${virtunit.debian12Image}", network = "office", memoryMiB = 512, vcpus = 2,
            bootTimeoutSeconds = BOOT_TIMEOUT_SECONDS)
    static Guest dhcpGuest;

    @Override
    Guest guest() {
        return guest;
    }

    @Override
    Guest dhcpGuest() {
        return dhcpGuest;
    }

    @Override
    Upstream internet() {
        return internet;
    }

    @Override
    Bridge lan() {
        return lan;
    }

    @Override
    String cloudInitVersionPrefix() {
        return "22.";
    }
}
