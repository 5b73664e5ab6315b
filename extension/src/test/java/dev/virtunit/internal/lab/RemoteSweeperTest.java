package dev.virtunit.internal.lab;

import dev.virtunit.internal.host.HostFiles;
import dev.virtunit.internal.host.ProcessOwner;
import dev.virtunit.internal.host.RecordingHostCommands;
import dev.virtunit.internal.host.SplitHost;
import dev.virtunit.internal.net.HostNetworking;
import dev.virtunit.internal.net.IpForwarding;
import dev.virtunit.internal.net.JavaLauncher;
import dev.virtunit.internal.net.Sysctls;
import dev.virtunit.observe.GuestState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sweep of a remote host ({@link Sweeper#onHost}) and owner marks that name their machine: runs judged by their
 * lease on the host (files made for real in a temporary folder standing for the host's state directory, through
 * {@link SplitHost}), the host's networking answered by {@link RecordingHostCommands}, libvirt by
 * {@link FakeHypervisor}. Objects of another machine's run are never judged by their pid here.
 */
class RemoteSweeperTest {

    private static final long DEAD_PID = 2147483646L;
    private static final String OTHER_MACHINE = "0123456789abcdef0123456789abcdef";

    @TempDir
    Path stateDir;
    @TempDir
    Path hostState;

    private final FakeHypervisor hypervisor = new FakeHypervisor();
    private final RecordingHostCommands host = new RecordingHostCommands();
    private final SplitHost split = new SplitHost(host);
    private final HostNetworking networking = new HostNetworking(split, new IpForwarding(new Sysctls(split)),
            JavaLauncher.local(), HostFiles.over(split));

    private Sweeper.Result sweepHost() {
        return Sweeper.onHost(hypervisor, networking, stateDir, hostState.toString()).sweep();
    }

    private Sweeper.Result sweepHere() {
        return new Sweeper(hypervisor, networking, stateDir).sweep();
    }

    /** Run {@code run}'s lease on the host, of a process of another machine, last touched {@code ago}. */
    private Path lease(String run, String ago, String keptUntil) throws IOException, InterruptedException {
        Path runs = Files.createDirectories(hostState.resolve("runs"));
        Files.createDirectories(runs.resolve(run).resolve("java"));
        Path lease = Files.writeString(runs.resolve(run + ".lease"), "owner.machine=" + OTHER_MACHINE
                + "\nowner.boot=boot-x\nowner.pid=4242\nowner.started=2026-01-01T00\\:00\\:00Z\n"
                + (keptUntil == null ? "" : "keptUntil=" + keptUntil.replace(":", "\\:") + "\n"));
        assertThat(new ProcessBuilder("touch", "-d", ago, lease.toString()).start().waitFor()).isZero();
        return lease;
    }

    private void hostHas(String ovsBridges, String namespaces) {
        host.answer(List.of("ovs-vsctl", "--timeout=10", "list-br"), ovsBridges);
        host.answer(List.of("ip", "-o", "link", "show"), "1: lo: <LOOPBACK>\n");
        host.answer(List.of("ip", "netns", "list"), namespaces);
        host.answer(List.of("nft", "list", "tables"), "");
    }

    private void bridgeOwnedBy(String bridge, String run, long pid, String machine) {
        host.answer(List.of("ovs-vsctl", "--timeout=10", "br-get-external-id", bridge), "virtunit-machine=" + machine
                + "\nvirtunit-pid=" + pid + "\nvirtunit-run=" + run + "\n");
    }

    @Test
    void aRunWhoseLeaseWentStaleIsSweptWithItsLeaseAndFolderWhileAFreshLeaseKeepsItsRun() throws Exception {
        Path stale = lease("aaaaaa", "3 minutes ago", null);
        Path fresh = lease("bbbbbb", "now", null);
        hostHas("vuaaaaaab0\nvubbbbbbb0\n", "vuaaaaaau0\nvubbbbbbu0\n");
        bridgeOwnedBy("vuaaaaaab0", "aaaaaa", 4242, OTHER_MACHINE);
        bridgeOwnedBy("vubbbbbbb0", "bbbbbb", 4242, OTHER_MACHINE);

        Sweeper.Result result = sweepHost();

        assertThat(result.failures()).isEmpty();
        assertThat(host.rendered()).contains("ovs-vsctl --timeout=10 --if-exists del-br vuaaaaaab0", "ip netns del vuaaaaaau0");
        assertThat(host.rendered()).noneMatch(c -> c.contains("bbbbbb") && c.contains("del"));
        assertThat(stale).doesNotExist();
        assertThat(hostState.resolve("runs/aaaaaa")).doesNotExist();
        assertThat(fresh).exists();
        assertThat(hostState.resolve("runs/bbbbbb/java")).isDirectory();
        assertThat(result.spared()).singleElement().asString()
                .startsWith("run bbbbbb (no record here, on the test host): run bbbbbb of pid 4242 on machine "
                        + OTHER_MACHINE + ", heartbeat ");
    }

    @Test
    void aKeptRunsLeaseHoldsPastItsHeartbeatUntilItsTimeAndTheSpareSaysWhere() throws Exception {
        lease("cccccc", "1 hour ago", Instant.now().plusSeconds(3600).toString());
        hostHas("vuccccccb0\n", "");

        Sweeper.Result result = sweepHost();

        assertThat(host.rendered()).noneMatch(c -> c.contains("del-br"));
        assertThat(result.spared()).singleElement().asString().startsWith("run cccccc (no record here, on the test host)")
                .contains("kept until ");
    }

    @Test
    void withoutALeaseOnlyThisMachinesDeadOwnersAreSweptAndAnotherMachinesRunIsLeftToIt() {
        hostHas("vuddddddb0\nvueeeeeeb0\n", "");
        bridgeOwnedBy("vuddddddb0", "dddddd", DEAD_PID, ProcessOwner.thisMachine());
        bridgeOwnedBy("vueeeeeeb0", "eeeeee", DEAD_PID, OTHER_MACHINE);

        Sweeper.Result result = sweepHost();

        assertThat(host.rendered()).contains("ovs-vsctl --timeout=10 --if-exists del-br vuddddddb0")
                .doesNotContain("ovs-vsctl --timeout=10 --if-exists del-br vueeeeeeb0");
        assertThat(result.spared()).containsExactly("run eeeeee (no record here, on the test host): owner process "
                + DEAD_PID + " is one of machine " + OTHER_MACHINE + ", and no lease of the run on this host says it "
                + "is gone; its own machine's sweep removes it");
    }

    @Test
    void onARemoteHostAPidWithoutAMachineProvesNothing() {
        hypervisor.domains.put("vu-ffffff-web", GuestState.RUNNING);
        hypervisor.domainXml.put("vu-ffffff-web", "<domain><metadata><vu:owner xmlns:vu='" + DomainPlan.OWNER_NAMESPACE
                + "' run='ffffff' pid='" + DEAD_PID + "'/></metadata></domain>");
        hostHas("", "");

        Sweeper.Result result = sweepHost();

        assertThat(hypervisor.everything()).containsExactly("domain vu-ffffff-web");
        assertThat(result.spared()).singleElement().asString().contains("an unnamed machine");
    }

    @Test
    void hereADomainOfAnotherMachineIsLeftAloneAndOneOfThisMachineWithADeadOwnerIsSwept() {
        for (String[] domain : List.of(new String[] {"a1a1a1", OTHER_MACHINE}, new String[] {"b2b2b2", ProcessOwner.thisMachine()})) {
            String name = "vu-" + domain[0] + "-web";
            hypervisor.domains.put(name, GuestState.RUNNING);
            hypervisor.domainXml.put(name, "<domain><metadata><vu:owner xmlns:vu='" + DomainPlan.OWNER_NAMESPACE
                    + "' run='" + domain[0] + "' pid='" + DEAD_PID + "' machine='" + domain[1] + "'/></metadata></domain>");
        }
        hostHas("", "");

        Sweeper.Result result = sweepHere();

        assertThat(hypervisor.everything()).containsExactly("domain vu-a1a1a1-web");
        assertThat(result.spared()).singleElement().asString().startsWith("run a1a1a1 (no record): owner process "
                + DEAD_PID + " is one of machine " + OTHER_MACHINE);
    }

    @Test
    void aDeadRecordHereTakesItsRunsLeaseAndFolderOnTheHostWithIt() throws Exception {
        new RunRecord("abcdef", DEAD_PID, Instant.parse("2020-01-01T00:00:00Z"), ProcessOwner.currentBootId(),
                Optional.empty(), stateDir.resolve("runs/abcdef.run")).write();
        lease("abcdef", "now", null);
        hostHas("vuabcdefb0\n", "");

        Sweeper.Result result = sweepHost();

        assertThat(result.failures()).isEmpty();
        assertThat(host.rendered()).contains("ovs-vsctl --timeout=10 --if-exists del-br vuabcdefb0");
        assertThat(hostState.resolve("runs/abcdef.lease")).doesNotExist();
        assertThat(hostState.resolve("runs/abcdef")).doesNotExist();
        assertThat(stateDir.resolve("runs/abcdef.run")).doesNotExist();
    }
}
