package dev.virtunit.examples;

import dev.virtunit.Bridge;
import dev.virtunit.Guest;
import dev.virtunit.Upstream;
import dev.virtunit.assertions.Reachability;
import dev.virtunit.junit.LibvirtGuest;
import dev.virtunit.junit.LibvirtTest;
import dev.virtunit.junit.OvsBridge;
import dev.virtunit.junit.UpstreamHost;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.time.Duration;

import static dev.virtunit.assertions.VirtunitAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * One bridge over two hosts: a lab over a pool ({@code virtunit.hosts=local,kvm1}) puts one guest on this machine and
 * one on the far host, on one Open vSwitch bridge with NAT toward an upstream. virtunit makes the bridge on each host
 * and joins them with a VXLAN tunnel; NAT and the upstream stay on the first host (the home). The test reads as on one
 * machine. Runs when {@code virtunit.example.farHost} names the far host of the pool (scripts/run-tests does).
 */
@LibvirtTest
@EnabledIfSystemProperty(named = "virtunit.example.farHost", matches = ".+")
class SpanningBridgeExample {

    @UpstreamHost
    static Upstream internet;

    @OvsBridge(gateway = Bridge.Gateway.ON_VETH, natUplink = "internet")
    static Bridge lan;

    @LibvirtGuest(image = "${virtunit.testImage}", network = "lan", host = "local")
    static Guest near;

    @LibvirtGuest(image = "${virtunit.testImage}", network = "lan", host = "${virtunit.example.farHost}")
    static Guest far;

    @Test
    void guestsOnTwoHostsShareOneSegmentAndOneNat() {
        assertThat(far.host()).isNotEqualTo(near.host());
        Reachability.matrix().allow(near, far).allow(far, near).allow(far, internet).verify();
        assertThat(internet.sourceSeenFrom(far, Duration.ofSeconds(5))).contains(internet.hostAddress());
    }

    @Test
    void theirNicsLeaveRoomForTheTunnel() {
        // VXLAN adds 50 bytes: with 1450 on the guests' NICs, full-size TCP segments cross unfragmented.
        assertThat(far.ssh().exec("cat /sys/class/net/eth0/mtu")).succeeded().stdoutContains("1450");
        assertThat(far.ssh().exec("echo hi | nc -w 3 " + internet.address() + " " + internet.tcpPort()))
                .succeeded().stdoutContains("peer " + internet.hostAddress());
    }
}
