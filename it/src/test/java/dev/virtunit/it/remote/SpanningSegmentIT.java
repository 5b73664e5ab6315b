package dev.virtunit.it.remote;

import dev.virtunit.internal.host.CommandResult;
import dev.virtunit.internal.host.HostCommands;
import dev.virtunit.internal.host.OneAtATimeHostCommands;
import dev.virtunit.internal.net.IpLinks;
import dev.virtunit.internal.net.NetworkNamespaces;
import dev.virtunit.internal.ssh.SshHostCommands;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The mechanism a bridge spanning two hosts will use (#12, item 3), shown on its own: a Linux bridge on this machine
 * and one on the second host, each with a kernel VXLAN port toward the other over the link between the hosts, are
 * one Ethernet segment: a namespace on each side, on a private /24 neither host routes, pings the other across. And
 * why the MTU must be handled: the tunnel's port takes frames of 1450 bytes at most, so with the namespaces' MTU
 * left at 1500 a ping that fills a 1500-byte frame is lost without a word, while with their MTU at 1450 the same
 * ping arrives (the sender fragments it, and TCP would pick a segment size that needs no fragments). Everything
 * made is removed after, on both hosts. Runs only with {@code -Dvirtunit.secondHost=/var/lib/virtunit-hosts/<NAME>}.
 */
class SpanningSegmentIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    /** This machine's address on the bridge the second hosts hang on ({@code scripts/second-host}). */
    private static final String HERE = "172.31.250.1";
    private static final int VNI = 4242;
    /** A frame of 1500 bytes: 1472 bytes of ping data, 8 of ICMP, 20 of IP. */
    private static final int FILLS_1500 = 1472;

    private static SecondHost secondHost;
    private static SshHostCommands ssh;
    private static HostCommands there;
    private final HostCommands here = HostCommands.local();
    /** A run id of its own, so that check-leftovers and any sweep know these names as a (dead) run's. */
    private final String id = "vu" + HexFormat.of().formatHex(new SecureRandom().generateSeed(3));
    private final String subnet = "10.215." + (1 + new SecureRandom().nextInt(250)) + ".";

    @BeforeAll
    static void named() throws IOException {
        secondHost = SecondHost.named();
        ssh = secondHost.commands();
        there = new OneAtATimeHostCommands(ssh);
    }

    @AfterAll
    static void disconnect() {
        if (ssh != null) {
            ssh.close();
        }
    }

    @AfterEach
    void removeBothSides() {
        for (HostCommands host : List.of(here, there)) {
            // Idempotent, whatever the test got to: links first (the bridge takes its ports with it), then the namespace.
            for (String link : List.of(id + "x0", id + "s0", id + "a0")) {
                host.run(TIMEOUT, List.of("ip", "link", "del", link));
            }
            host.run(TIMEOUT, List.of("ip", "netns", "del", id + "n0"));
        }
    }

    @Test
    void twoBridgesJoinedByVxlanAreOneSegmentOnceTheMtuLeavesRoomForTheTunnel() {
        String secondAddress = secondHost.get("address");
        side(here, HERE, secondAddress, "vhbr0", subnet + "1/24");
        side(there, secondAddress, HERE, "eth0", subnet + "2/24");

        assertThat(ping(subnet + "2", 56)).as("a small ping across the tunnel").contains(" 0% packet loss");
        assertThat(ping(subnet + "2", FILLS_1500)).as("a 1500-byte frame into a 1450-byte tunnel")
                .contains("100% packet loss");

        for (HostCommands host : List.of(here, there)) {
            host.check(TIMEOUT, List.of("ip", "-n", id + "n0", "link", "set", "dev", id + "b0", "mtu",
                    Integer.toString(1500 - IpLinks.VXLAN_OVERHEAD)));
        }

        assertThat(ping(subnet + "2", FILLS_1500)).as("the same ping once the MTU leaves room for the tunnel")
                .contains(" 0% packet loss");
    }

    /**
     * One host's half: a Linux bridge, its VXLAN port toward the other host, and a namespace on a veth pair with
     * {@code address} (MTU 1500, as a guest's NIC would be by default).
     */
    private void side(HostCommands host, String local, String remote, String underlay, String address) {
        IpLinks links = new IpLinks(host);
        NetworkNamespaces namespaces = new NetworkNamespaces(host);
        links.addBridge(id + "s0");
        links.addVxlan(id + "x0", VNI, local, remote, 4789, underlay);
        links.setMaster(id + "x0", id + "s0");
        namespaces.addNamespace(id + "n0");
        links.addVethPairInto(id + "a0", id + "b0", id + "n0");
        links.setMaster(id + "a0", id + "s0");
        links.addAddressIn(id + "n0", id + "b0", address);
        links.linkUpIn(id + "n0", id + "b0");
    }

    /** busybox ping from this machine's namespace, its summary: no DF flag, so the sender fragments what it must. */
    private String ping(String target, int size) {
        CommandResult result = here.run(TIMEOUT, List.of("ip", "netns", "exec", id + "n0", "busybox", "ping", "-c", "3",
                "-W", "2", "-s", Integer.toString(size), target));
        return result.stdout() + result.stderr();
    }
}
