package dev.virtunit.internal.lab;

import dev.virtunit.Acceleration;
import dev.virtunit.Bridge;
import dev.virtunit.BridgeSpec;
import dev.virtunit.Capture;
import dev.virtunit.CleanupMode;
import dev.virtunit.GuestSpec;
import dev.virtunit.Impairment;
import dev.virtunit.LabConfig;
import dev.virtunit.LinkConditions;
import dev.virtunit.Upstream;
import dev.virtunit.VirtunitException;
import dev.virtunit.internal.host.FakeHost;
import dev.virtunit.internal.host.MutationSteps;
import dev.virtunit.internal.net.HostNetworking;
import dev.virtunit.internal.net.IpForwarding;
import dev.virtunit.internal.net.Sysctls;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Link impairments on a host with state ({@link FakeHost}): each one is on the host while open, gone after close,
 * and gone after the lab's teardown when the test left it open; a failed step leaves nothing.
 */
class ImpairmentTest {

    @TempDir
    Path work;

    private final MutationSteps steps = new MutationSteps();
    private final FakeHypervisor hypervisor = new FakeHypervisor().countingSteps(steps);
    private final FakeHost host = new FakeHost(steps).withExternalLinks(hypervisor::taps);
    private LabSession lab;
    private Bridge ovs;
    private Bridge linux;
    private LabGuest a;
    private LabGuest b;
    private LabGuest c;
    private LabGuest d;

    @BeforeEach
    void topology() {
        LabConfig config = LabConfig.fromEnvironment().withStateDir(work.resolve("state"))
                .withCacheDir(work.resolve("cache")).withAcceleration(Acceleration.TCG)
                .withCleanup(CleanupMode.ALWAYS).withFirstBootCache(false);
        lab = LabSession.start(config, uri -> hypervisor, new HostNetworking(host, new IpForwarding(new Sysctls(host))));
        Upstream upstream = lab.upstream();
        ovs = lab.bridge(BridgeSpec.ovs().withGateway(Bridge.Gateway.ON_VETH).withNat(upstream.uplinkInterface()));
        linux = lab.bridge(BridgeSpec.linux());
        Path image = FakeLab.blankImage(work, "blank.qcow2");
        a = lab.create(GuestSpec.builder().image(image).nic(ovs).awaitSsh(false).build(), "a");
        b = lab.create(GuestSpec.builder().image(image).nic(ovs).awaitSsh(false).build(), "b");
        c = lab.create(GuestSpec.builder().image(image).nic(linux).awaitSsh(false).build(), "c");
        d = lab.create(GuestSpec.builder().image(image).nic(linux).awaitSsh(false).build(), "d");
    }

    @AfterEach
    void nothingLeft() {
        if (lab != null) {
            lab.close();
        }
        assertThat(host.unknownCommands()).as("commands the fake host does not model").isEmpty();
        assertThat(host.everything()).as("left on the host").isEmpty();
    }

    @Test
    void aGuestsLinkGoesDownAndComesBackOnClose() {
        String tap = a.link().device();
        assertThat(tap).startsWith("vnet");

        Impairment down = a.link().down();
        assertThat(host.everything()).contains("link " + tap + " down");
        down.close();
        down.close();

        assertThat(host.everything()).doesNotContain("link " + tap + " down");
    }

    @Test
    void netemOnAGuestsPortIsRemovedOnClose() {
        String tap = a.link(0).device();

        try (Impairment slow = a.link(0).impair(LinkConditions.delay(Duration.ofMillis(200))
                .withJitter(Duration.ofMillis(20)).withLoss(30))) {
            assertThat(host.everything()).contains("qdisc netem delay 200ms 20ms loss 30% on " + tap);
            assertThat(slow.description()).isEqualTo("netem delay 200ms 20ms loss 30% on " + tap + " (guest " + a.name()
                    + ", NIC 0)");
        }

        assertThat(host.everything()).noneMatch(line -> line.startsWith("qdisc"));
    }

    @Test
    void lossWithoutDelayIsAnNftablesEgressTableAndRateATbfQdiscSoNoNetemIsNeeded() {
        String tap = a.link().device();

        try (Impairment lossy = a.link().impair(LinkConditions.loss(30).withRate(1000))) {
            assertThat(host.everything()).contains("qdisc tbf rate 1000kbit burst 32kbit latency 400ms on " + tap,
                    "nftables table netdev vu_" + lab.runId() + "_l" + tap);
        }

        assertThat(host.everything()).noneMatch(line -> line.startsWith("qdisc") || line.contains("netdev"));
    }

    @Test
    void impairmentsLeftOpenAreUndoneByTheLabsTeardown() {
        a.link().impair(LinkConditions.loss(100));
        ovs.impairUplink(LinkConditions.rate(512));
        ovs.partition(a, b);
        linux.partition(c, d);
        String run = lab.runId();
        assertThat(host.everything()).contains("qdisc tbf rate 512kbit burst 32kbit latency 400ms on vu" + run + "u0h",
                "nftables table netdev vu_" + run + "_l" + a.link().device(), "nftables table bridge vu_" + run + "_b1p1");
        assertThat(host.everything()).filteredOn(line -> line.startsWith("OpenFlow flow ")).hasSize(2);
        // nothingLeft() closes the lab and checks that all of it went.
    }

    @Test
    void anOvsPartitionDropsBothDirectionsByMacAndCloseRemovesOnlyItsFlows() {
        Impairment first = ovs.partition(a, b);
        Impairment second = ovs.partition(b, a);
        String macA = a.mac();
        String macB = b.mac();
        assertThat(host.everything()).contains(
                "OpenFlow flow cookie=0x767500000001,priority=40000,dl_src=" + macA + ",dl_dst=" + macB
                        + ",actions=drop on " + ovs.name(),
                "OpenFlow flow cookie=0x767500000001,priority=40000,dl_src=" + macB + ",dl_dst=" + macA
                        + ",actions=drop on " + ovs.name());

        first.close();

        assertThat(host.everything()).filteredOn(line -> line.startsWith("OpenFlow flow "))
                .hasSize(2).allMatch(line -> line.contains("cookie=0x767500000002,"));
        second.close();
    }

    @Test
    void aLinuxBridgePartitionIsAnNftablesBridgeTableDroppingBothDirections() {
        try (Impairment cut = linux.partition(c, d)) {
            assertThat(cut.description()).isEqualTo("partition of guests " + c.name() + " and " + d.name()
                    + " on bridge " + linux.name());
            assertThat(host.everything()).contains("nftables table bridge vu_" + lab.runId() + "_b1p1");
        }
        assertThat(host.everything()).noneMatch(line -> line.startsWith("nftables table bridge"));
    }

    @Test
    void aGuestWithoutANicOnTheBridgeCannotBePartitionedThere() {
        assertThatThrownBy(() -> linux.partition(a, c)).isInstanceOf(VirtunitException.class)
                .hasMessageStartingWith("cannot partition guest " + a.name() + " on bridge " + linux.name()
                        + ": it has no NIC on this bridge");
    }

    @Test
    void anUplinkImpairmentNeedsNat() {
        assertThatThrownBy(() -> linux.impairUplink(LinkConditions.loss(10))).isInstanceOf(VirtunitException.class)
                .hasMessage("cannot impair the uplink of bridge " + linux.name() + ": it has no NAT uplink; declare one "
                        + "(@OvsBridge(natUplink = ...), BridgeSpec.withNat)");
    }

    @Test
    void aNicThatIsNotThereIsNamed() {
        assertThatThrownBy(() -> a.link(1)).isInstanceOf(VirtunitException.class)
                .hasMessage("guest " + a.name() + " has no NIC 1: it has 1 (numbered from 0 in declaration order)");
    }

    // ---- captures ----

    /** A program running in the host's own namespace: tcpdump (the upstream's echo server runs in its namespace). */
    private static boolean tcpdump(String left) {
        return left.startsWith("process ") && left.endsWith(" in namespace ");
    }

    @Test
    void aCaptureOnAGuestsPortWritesAPcapThatStopsOnCloseAndGoesWithTheGuest() {
        Capture capture = a.link().capture(Duration.ofMinutes(1));
        assertThat(capture.interfaceName()).isEqualTo(a.link().device());
        assertThat(host.everything()).anyMatch(ImpairmentTest::tcpdump);

        capture.close();

        assertThat(host.everything()).noneMatch(ImpairmentTest::tcpdump);
        assertThat(capture.packetCount()).isEqualTo(1);
        assertThat(capture.decoded()).contains("ARP, Request who-has 192.168.77.1");
        assertThat(a.captures()).containsExactly((LabCapture) capture);
        Path pcap = capture.pcap();
        assertThat(pcap).exists().hasFileName(pcap.getFileName().toString()).satisfies(
                file -> assertThat(file.getFileName().toString()).startsWith(a.link().device() + "-").endsWith(".pcap"));
        lab.remove(a);
        assertThat(pcap).doesNotExist();
    }

    @Test
    void aCaptureEndsByItselfWhenItsTimeIsOver() {
        Capture capture = ovs.capture(Duration.ofMillis(200));

        await().atMost(Duration.ofSeconds(10)).until(() -> host.everything().stream().noneMatch(ImpairmentTest::tcpdump));
        assertThat(capture.packetCount()).isEqualTo(1);
    }

    @Test
    void theUplinkIsCapturedOnTheNatsUplinkAndABridgeWithoutOneSaysSo() {
        try (Capture capture = ovs.captureUplink(Duration.ofSeconds(30))) {
            assertThat(capture.interfaceName()).isEqualTo("vu" + lab.runId() + "u0h");
        }
        assertThatThrownBy(() -> linux.captureUplink(Duration.ofSeconds(1))).isInstanceOf(VirtunitException.class)
                .hasMessageStartingWith("cannot capture on the uplink of bridge " + linux.name() + ": it has no NAT uplink");
    }

    @Test
    void aKernelWithoutNetemSaysWhatCannotBeEmulated() {
        String tap = a.link().device();
        steps.failAt(steps.count() + 1);

        assertThatThrownBy(() -> a.link().impair(LinkConditions.delay(Duration.ofMillis(5))))
                .isInstanceOf(VirtunitException.class)
                .hasMessage("cannot impair link " + tap + " with netem delay 5ms: tc qdisc replace dev " + tap
                        + " root netem delay 5ms failed with exit code 2: Error: Specified qdisc kind is unknown. (this "
                        + "kernel has no netem qdisc, CONFIG_NET_SCH_NETEM / module sch_netem: delay and jitter cannot be "
                        + "emulated on this host; loss and rate without a delay can)");
        assertThat(host.everything()).noneMatch(line -> line.startsWith("qdisc"));
    }
}
