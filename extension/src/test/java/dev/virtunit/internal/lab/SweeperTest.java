package dev.virtunit.internal.lab;

import dev.virtunit.internal.host.RecordingHostCommands;
import dev.virtunit.internal.net.HostNetworking;
import dev.virtunit.internal.net.IpForwarding;
import dev.virtunit.internal.net.Sysctls;
import dev.virtunit.observe.GuestState;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sweep of every kind, by run id: libvirt objects on {@link FakeHypervisor}, host objects through
 * {@link RecordingHostCommands} (what exists is what the listing commands answer), state files in a temporary
 * directory. Asserts which runs are swept, the exact removal commands and their order, and that nothing of a live
 * run, a kept run or anything not ours is touched.
 */
class SweeperTest {

    /** A pid no process has: Linux's pid_max is at most 2^22. */
    private static final long DEAD_PID = 2147483646L;

    @TempDir
    Path stateDir;

    private final FakeHypervisor hypervisor = new FakeHypervisor();
    private final RecordingHostCommands host = new RecordingHostCommands();
    private String bootId;

    @BeforeEach
    void setUp() throws IOException {
        bootId = Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).strip();
    }

    private Sweeper.Result sweep() {
        return new Sweeper(hypervisor, new HostNetworking(host, new IpForwarding(new Sysctls(host))), stateDir).sweep();
    }

    private RunRecord record(String run, long pid, Instant started, String boot, Optional<Instant> keptUntil) {
        RunRecord record = new RunRecord(run, pid, started, boot, keptUntil, stateDir.resolve("runs").resolve(run + ".run"));
        record.write();
        return record;
    }

    private RunRecord deadRecord(String run) {
        return record(run, DEAD_PID, Instant.parse("2020-01-01T00:00:00Z"), bootId, Optional.empty());
    }

    private RunRecord liveRecord(String run) {
        ProcessHandle self = ProcessHandle.current();
        return record(run, self.pid(), self.info().startInstant().orElseThrow(), bootId, Optional.empty());
    }

    private Path lease(String third, String run) throws IOException {
        Files.createDirectories(stateDir.resolve("leases"));
        return Files.writeString(stateDir.resolve("leases").resolve("192.168." + third + ".0-24"), run + "\n");
    }

    /** The host's view: Open vSwitch, links, namespaces and nftables tables, as the listing commands print them. */
    private void hostHas(String ovsBridges, String links, String namespaces, String tables) {
        host.answer(List.of("ovs-vsctl", "--timeout=10", "list-br"), ovsBridges);
        host.answer(List.of("ip", "-o", "link", "show"), links);
        host.answer(List.of("ip", "netns", "list"), namespaces);
        host.answer(List.of("nft", "list", "tables"), tables);
    }

    /** A guest's domain as virtunit writes it: its owner's pid in the metadata. */
    private void domain(String name, String run, long ownerPid) {
        hypervisor.domains.put(name, GuestState.RUNNING);
        hypervisor.domainXml.put(name, "<domain><name>" + name + "</name><metadata><vu:owner xmlns:vu='"
                + DomainPlan.OWNER_NAMESPACE + "' run='" + run + "' pid='" + ownerPid + "'/></metadata></domain>");
    }

    /** Every kind a run with an upstream, an OVS bridge with NAT, a Linux bridge and a guest leaves. */
    private void fullTopology(String run) throws IOException {
        domain("vu-" + run + "-router", run, DEAD_PID);
        hypervisor.networks.put("vu-" + run + "-net", "<network/>");
        hypervisor.pools.put("vu-" + run + "-pool", new ArrayList<>(List.of("vu-" + run + "-router-disk.qcow2")));
        Files.createDirectories(stateDir.resolve("pools").resolve("vu-" + run + "-pool"));
    }

    @Test
    void removesEveryKindADeadRunLeftInOrderAndItsRecordLastAndNothingOfALiveRun() throws IOException {
        deadRecord("aaaaaa");
        liveRecord("bbbbbb");
        fullTopology("aaaaaa");
        fullTopology("bbbbbb");
        hypervisor.domains.put("someone-elses", GuestState.RUNNING);
        Path deadLease = lease("120", "aaaaaa");
        Path liveLease = lease("121", "bbbbbb");
        hostHas("vuaaaaaab0\nvubbbbbbb0\nbr-ext\n",
                "1: lo: <LOOPBACK>\n7: vuaaaaaab0: <BROADCAST>\n8: vuaaaaaab1: <BROADCAST>\n"
                        + "9: vuaaaaaab0p@vuaaaaaab0g: <BROADCAST>\n10: vuaaaaaab0g@vuaaaaaab0p: <BROADCAST>\n"
                        + "11: vuaaaaaau0h@if2: <BROADCAST>\n12: vubbbbbbb1: <BROADCAST>\n13: eth0: <BROADCAST>\n",
                "vuaaaaaau0 (id: 3)\nvubbbbbbu0 (id: 4)\nsomeones\n",
                "table inet virtunit_guard\ntable ip vu_aaaaaa_b0\ntable ip vu_bbbbbb_b0\ntable ip filter\n"
                        // Impairments left open: a loss table on a tap, a partition on a Linux bridge.
                        + "table netdev vu_aaaaaa_lvnet3\ntable bridge vu_aaaaaa_b1p0\ntable netdev vu_bbbbbb_lvnet4\n"
                        + "table bridge filter\n");
        host.answer(List.of("ovs-vsctl", "--timeout=10", "list-ports", "br-ext"), "vuaaaaaax0\neth9\n");
        // The upstream's echo service is still in the namespace when it is deleted, and ends on SIGTERM.
        host.answerOnce(List.of("ip", "netns", "pids", "vuaaaaaau0"), "4242\n");

        Sweeper.Result result = sweep();

        assertThat(result.failures()).isEmpty();
        assertThat(hypervisor.everything()).containsExactlyInAnyOrder("domain someone-elses", "domain vu-bbbbbb-router",
                "network vu-bbbbbb-net", "pool vu-bbbbbb-pool", "volume vu-bbbbbb-router-disk.qcow2");
        // Domains before the networks and the pool they use.
        assertThat(hypervisor.calls).containsExactly("destroyDomain vu-aaaaaa-router", "undefineDomain vu-aaaaaa-router",
                "removeNetwork vu-aaaaaa-net", "removePool vu-aaaaaa-pool");
        List<String> removals = host.rendered().stream()
                .filter(c -> c.contains(" del") || c.startsWith("kill") || c.startsWith("nft delete")).toList();
        assertThat(removals).containsExactly(
                "ovs-vsctl --timeout=10 --if-exists del-port br-ext vuaaaaaax0",
                "ovs-vsctl --timeout=10 --if-exists del-br vuaaaaaab0",
                "ip link del dev vuaaaaaab1",
                "ip link del dev vuaaaaaab0p",
                "ip link del dev vuaaaaaab0g",
                "ip link del dev vuaaaaaau0h",
                "kill -s TERM 4242",
                "ip netns del vuaaaaaau0",
                "nft delete table ip vu_aaaaaa_b0",
                "nft delete table netdev vu_aaaaaa_lvnet3",
                "nft delete table bridge vu_aaaaaa_b1p0");
        assertThat(host.rendered()).noneMatch(c -> c.contains("bbbbbb") && !c.contains("list"));
        assertThat(deadLease).doesNotExist();
        assertThat(liveLease).exists();
        assertThat(stateDir.resolve("pools/vu-aaaaaa-pool")).doesNotExist();
        assertThat(stateDir.resolve("pools/vu-bbbbbb-pool")).exists();
        assertThat(stateDir.resolve("runs/aaaaaa.run")).doesNotExist();
        assertThat(stateDir.resolve("runs/bbbbbb.run")).exists();
        assertThat(result.removed()).last().isEqualTo("run record aaaaaa");
    }

    @Test
    void sparesKeptRunsWithinTheirTimeToLiveAndSweepsExpiredAndRebootedOnes() throws IOException {
        Instant longAgo = Instant.parse("2020-01-01T00:00:00Z");
        record("cccccc", DEAD_PID, longAgo, bootId, Optional.of(Instant.now().plus(Duration.ofHours(1))));
        record("dddddd", ProcessHandle.current().pid(), ProcessHandle.current().info().startInstant().orElseThrow(),
                bootId, Optional.of(Instant.now().minus(Duration.ofMinutes(1))));
        record("eeeeee", ProcessHandle.current().pid(), ProcessHandle.current().info().startInstant().orElseThrow(),
                "another-boot", Optional.empty());
        // A pid alive but started at another time: the dead run's pid was reused.
        record("ababab", ProcessHandle.current().pid(), longAgo, bootId, Optional.empty());
        hostHas("", "4: vuccccccb0: <BROADCAST>\n5: vuddddddb0: <BROADCAST>\n6: vueeeeeeb0: <BROADCAST>\n"
                + "7: vuabababb0: <BROADCAST>\n", "", "");

        Sweeper.Result result = sweep();

        assertThat(host.rendered()).filteredOn(c -> c.startsWith("ip link del"))
                .containsExactlyInAnyOrder("ip link del dev vuddddddb0", "ip link del dev vueeeeeeb0", "ip link del dev vuabababb0");
        assertThat(stateDir.resolve("runs/cccccc.run")).exists();
        assertThat(stateDir.resolve("runs")).isDirectoryNotContaining("glob:**/{dddddd,eeeeee,ababab}.run");
        assertThat(result.failures()).isEmpty();
    }

    @Test
    void aRunWithoutRecordIsSweptOnlyWhenItsObjectsNameADeadOwner() throws IOException {
        // ffffff: no record, its domain names a dead owner.
        domain("vu-ffffff-web", "ffffff", DEAD_PID);
        // 111111: no record, its OVS bridge names a live owner (a live run of another state directory, say).
        // 222222: no record, only a link: nothing names an owner.
        // 333333: no record, its OVS bridge names a dead owner.
        hostHas("vu111111b0\nvu333333b0\n", "4: vuffffffb0: <BROADCAST>\n5: vu222222b0: <BROADCAST>\n",
                "vuffffffu0\n", "table ip vu_ffffff_b0\n");
        host.answer(List.of("ovs-vsctl", "--timeout=10", "br-get-external-id", "vu111111b0"),
                "virtunit-pid=" + ProcessHandle.current().pid() + "\nvirtunit-run=111111\n");
        host.answer(List.of("ovs-vsctl", "--timeout=10", "br-get-external-id", "vu333333b0"),
                "virtunit-pid=" + DEAD_PID + "\nvirtunit-run=333333\n");
        Path orphanLease = lease("130", "ffffff");

        Sweeper.Result result = sweep();

        assertThat(hypervisor.everything()).isEmpty();
        assertThat(host.rendered()).contains("ip link del dev vuffffffb0", "ip netns del vuffffffu0",
                "nft delete table ip vu_ffffff_b0", "ovs-vsctl --timeout=10 --if-exists del-br vu333333b0");
        assertThat(host.rendered()).noneMatch(c -> c.contains("del") && (c.contains("111111") || c.contains("222222")));
        assertThat(orphanLease).doesNotExist();
        assertThat(result.spared()).containsExactly(
                "run 111111 (no record): owner process " + ProcessHandle.current().pid() + " is alive",
                "run 222222 (no record): no object names its owner process; scripts/check-leftovers --remove removes it");
    }

    @Test
    void oneFailingRemovalDoesNotStopTheOthersAndTheRecordStaysForTheNextSweep() throws IOException {
        deadRecord("aaaaaa");
        fullTopology("aaaaaa");
        hostHas("vuaaaaaab0\n", "8: vuaaaaaab1: <BROADCAST>\n", "vuaaaaaau0\n", "table ip vu_aaaaaa_b0\n");
        hypervisor.failOn = "removeNetwork";
        host.failFirst(List.of("ip", "link", "del"));
        // deleteLink asks again after a failed delete: the link is still there.
        host.answer(List.of("ip", "-o", "link", "show", "dev", "vuaaaaaab1"), "8: vuaaaaaab1: <BROADCAST>\n");

        Sweeper.Result result = sweep();

        assertThat(result.failures()).hasSize(2);
        assertThat(result.failures().get(0)).contains("network vu-aaaaaa-net", "dead run aaaaaa", "injected failure");
        assertThat(result.failures().get(1)).contains("link vuaaaaaab1", RecordingHostCommands.INJECTED);
        // Everything after each failure was still removed.
        assertThat(hypervisor.calls).contains("undefineDomain vu-aaaaaa-router", "removePool vu-aaaaaa-pool");
        assertThat(host.rendered()).contains("ovs-vsctl --timeout=10 --if-exists del-br vuaaaaaab0",
                "ip netns del vuaaaaaau0", "nft delete table ip vu_aaaaaa_b0");
        assertThat(stateDir.resolve("runs/aaaaaa.run")).exists();

        hypervisor.failOn = "";
        Sweeper.Result again = sweep();

        assertThat(again.failures()).isEmpty();
        assertThat(hypervisor.everything()).isEmpty();
        assertThat(stateDir.resolve("runs/aaaaaa.run")).doesNotExist();
    }

    @Test
    void aHostWithoutOpenVSwitchOrNftablesIsSweptForTheRestAndSaysWhatItCouldNotList() throws IOException {
        deadRecord("aaaaaa");
        hostHas("", "8: vuaaaaaab1: <BROADCAST>\n", "", "");
        host.answer(List.of("ovs-vsctl"), 1, "", "ovs-vsctl: unix:/var/run/openvswitch/db.sock: database connection failed");
        host.answer(List.of("nft"), 127, "", "nft: not found");

        Sweeper.Result result = sweep();

        assertThat(host.rendered()).contains("ip link del dev vuaaaaaab1");
        assertThat(result.unlisted()).hasSize(2);
        assertThat(result.unlisted().get(0)).contains("Open vSwitch bridges", "database connection failed");
        assertThat(result.unlisted().get(1)).contains("nftables tables", "not found");
        assertThat(result.failures()).isEmpty();
        assertThat(stateDir.resolve("runs/aaaaaa.run")).doesNotExist();
    }

    @Test
    void aRecordWithNothingLeftIsRemovedAndAQuietHostMeansNoRemovals() {
        deadRecord("aaaaaa");
        liveRecord("bbbbbb");
        hostHas("", "", "", "");

        Sweeper.Result result = sweep();

        assertThat(result.removed()).containsExactly("run record aaaaaa");
        assertThat(hypervisor.calls).isEmpty();
        // The four listings run side by side: in any order, each once.
        assertThat(host.rendered()).containsExactlyInAnyOrder("ovs-vsctl --timeout=10 list-br", "ip -o link show",
                "ip netns list", "nft list tables");
    }

    @Test
    void findsTheRunInEveryNamingSchemeAndNothingElse() {
        assertThat(Sweeper.runOf("vu-1a2b3c-router")).contains("1a2b3c");
        assertThat(Sweeper.runOf("vu1a2b3cb0p")).contains("1a2b3c");
        assertThat(Sweeper.runOf("vu_1a2b3c_b0")).contains("1a2b3c");
        assertThat(Sweeper.runOf("vu-other-web")).isEmpty();
        assertThat(Sweeper.runOf("vu1a2b3c")).isEmpty();
        assertThat(Sweeper.runOf("virtunit_guard")).isEmpty();
        assertThat(Sweeper.runOf("vu-1A2B3C-x")).isEmpty();
        assertThat(Sweeper.runOf("br-ext")).isEmpty();
        assertThat(Sweeper.runOf("xvu-1a2b3c-router")).isEmpty();
    }
}
