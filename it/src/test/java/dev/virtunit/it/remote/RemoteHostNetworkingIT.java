package dev.virtunit.it.remote;

import dev.virtunit.internal.host.CommandFailedException;
import dev.virtunit.internal.host.CommandResult;
import dev.virtunit.internal.host.HostCommands;
import dev.virtunit.internal.host.HostFiles;
import dev.virtunit.internal.host.OneAtATimeHostCommands;
import dev.virtunit.internal.host.HostFolder;
import dev.virtunit.internal.host.RunLease;
import dev.virtunit.internal.lab.Sweeper;
import dev.virtunit.internal.lab.Teardown;
import dev.virtunit.internal.libvirt.LibvirtHypervisor;
import dev.virtunit.internal.net.HostNetworking;
import dev.virtunit.internal.net.IpForwarding;
import dev.virtunit.internal.net.NatRules;
import dev.virtunit.internal.net.NatSpec;
import dev.virtunit.internal.net.NetProbe;
import dev.virtunit.internal.net.Peer;
import dev.virtunit.internal.net.UpstreamNamespace;
import dev.virtunit.internal.ssh.SshHostCommands;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The adapters that used to assume this machine, on the second host ({@code scripts/second-host up}): a NAT table
 * loaded through nft's stdin, IP forwarding held and released with its holders counted there, the upstream's echo
 * service started in a namespace there with that host's java and answering a probe from another namespace there,
 * and the sweep of a remote host removing a dead run's objects there while a live run's stay. Skips without
 * {@code -Dvirtunit.secondHost}.
 */
class RemoteHostNetworkingIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    /** The second host's own state folder: private to its mount namespace, as on a real remote host. */
    private static final String HOST_STATE = "/var/lib/virtunit";
    private static final List<String> READ_FORWARDING = List.of("sysctl", "-n", "net.ipv4.ip_forward");

    private static SecondHost secondHost;
    private static SshHostCommands ssh;
    /** Its commands one at a time, as a lab uses them: the second host's dropbear drops channels opened side by side. */
    private static HostCommands remote;
    private static HostFiles files;
    private final Teardown teardown = new Teardown();
    private final String run = HexFormat.of().formatHex(new SecureRandom().generateSeed(3));

    @BeforeAll
    static void connect() throws IOException {
        secondHost = SecondHost.named();
        ssh = secondHost.commands();
        remote = new OneAtATimeHostCommands(ssh);
        files = HostFiles.over(remote, "the second host");
    }

    @AfterEach
    void removeWhatTheTestMade() {
        teardown.run();
    }

    @AfterAll
    static void disconnect() {
        if (ssh != null) {
            ssh.close();
        }
    }

    /** A lease and the HostNetworking of run {@code run} on the second host, both undone after the test. */
    private HostNetworking runOnSecondHost(String run) {
        RunLease lease = RunLease.start(files, HOST_STATE, run);
        teardown.register("close the lease of run " + run, lease::close);
        return HostNetworking.onHost(remote, HOST_STATE, lease.folder(), files);
    }

    private String forwardingThere() {
        return remote.check(TIMEOUT, READ_FORWARDING).stdout().strip();
    }

    private String forwardingHere() {
        return HostNetworking.local().commands().check(TIMEOUT, READ_FORWARDING).stdout().strip();
    }

    @Test
    void aNatTableIsLoadedThroughNftsStdinThere() {
        HostNetworking there = runOnSecondHost(run);
        NatSpec spec = new NatSpec("vu_" + run + "_b0", "10.250.9.0/24", "vu" + run + "b0", "vu" + run + "u0h");
        teardown.register("delete NAT table " + spec.tableName(), () -> there.nftables().deleteTable(spec.tableName()));

        there.nftables().load(NatRules.script(spec));

        assertThat(remote.check(TIMEOUT, List.of("nft", "list", "table", "ip", spec.tableName())).stdout())
                .contains("masquerade");
        assertThat(HostNetworking.local().nftables().tableExists(spec.tableName())).as("this machine's").isFalse();
        assertThatThrownBy(() -> there.nftables().load("add table ip " + spec.tableName() + "\nnonsense here\n"))
                .isInstanceOf(CommandFailedException.class)
                .hasMessageStartingWith("on " + ssh.address() + ": nft -f - failed with exit code 1")
                .hasMessageContaining("nonsense");
    }

    @Test
    void ipForwardingIsHeldAndReleasedOnTheSecondHostWithItsHoldersCountedThere() {
        HostNetworking there = runOnSecondHost(run);
        String before = forwardingThere();
        String beforeHere = forwardingHere();
        HostFolder holders = files.folder(Path.of(HOST_STATE, "forwarding"));

        IpForwarding.Lease lease = there.forwarding().acquire();
        teardown.register("release forwarding", lease::close);

        assertThat(forwardingThere()).isEqualTo("1");
        assertThat(holders.list()).anyMatch(name -> name.endsWith(".holder"));
        assertThat(forwardingHere()).as("this machine's").isEqualTo(beforeHere);

        lease.close();

        assertThat(forwardingThere()).isEqualTo(before);
        assertThat(holders.list()).noneMatch(name -> name.endsWith(".holder"));
        assertThat(forwardingHere()).isEqualTo(beforeHere);
    }

    @Test
    void theEchoServiceRunsInANamespaceThereWithThatHostsJavaAndSeesAProbeFromAnotherNamespace() {
        HostNetworking there = runOnSecondHost(run);
        IpForwarding.Lease forwarding = there.forwarding().acquire();
        teardown.register("release forwarding", forwarding::close);
        UpstreamNamespace upstream = UpstreamNamespace.start(there, "vu" + run + "u0", "10.250.1.1/24", "10.250.1.2/24");
        teardown.register("remove upstream", upstream::close);
        // The prober: a namespace of its own, routed to the upstream through the second host.
        String prober = "vu" + run + "p0";
        teardown.register("delete namespace " + prober, () -> there.namespaces().deleteNamespace(prober));
        there.namespaces().addNamespace(prober);
        teardown.register("delete veth", () -> there.links().deleteLink("vu" + run + "p0h"));
        there.links().addVethPair("vu" + run + "p0h", "vu" + run + "p0n");
        there.links().moveToNamespace("vu" + run + "p0n", prober);
        there.links().addAddressIn(prober, "vu" + run + "p0n", "10.250.2.2/24");
        there.links().linkUpIn(prober, "vu" + run + "p0n");
        there.links().addAddress("vu" + run + "p0h", "10.250.2.1/24");
        there.routes().addRouteIn(prober, "10.250.1.0/24", "10.250.2.1");
        upstream.routeViaHost("10.250.2.0/24");
        int mark = upstream.peerCount();

        CommandResult probe = there.namespaces().execIn(prober, TIMEOUT,
                NetProbe.tcp(there.java(), upstream.address(), upstream.tcpPort(), "hello", Duration.ofSeconds(10)));

        assertThat(probe.exitCode()).as(probe.stderr()).isEqualTo(NetProbe.ANSWERED);
        assertThat(probe.stdout()).contains("hello");
        Peer peer = upstream.awaitPeerAfter(mark, "tcp", TIMEOUT);
        assertThat(peer.address()).isEqualTo("10.250.2.2");
        HostFolder runFolder = RunLease.runsFolder(files, HOST_STATE).folder(run);
        assertThat(runFolder.folder("java").list()).containsExactly("dev");
        assertThat(HostNetworking.local().namespaces().namespaceExists(upstream.namespace())).isFalse();

        teardown.run();

        assertThat(runFolder.list()).as("the shipped classes go with the run").isEmpty();
        assertThat(RunLease.runsFolder(files, HOST_STATE).list()).doesNotContain(run, run + ".lease");
    }

    @Test
    void theSweepOfTheSecondHostRemovesADeadRunsObjectsThereAndLeavesALiveRuns(@TempDir Path stateDir) {
        String dead = HexFormat.of().formatHex(new SecureRandom().generateSeed(3));
        HostNetworking there = runOnSecondHost(run);
        HostFolder runs = RunLease.runsFolder(files, HOST_STATE);
        // The dead run: another machine's, its lease last touched three minutes ago.
        runs.create();
        runs.write(dead + ".lease", "owner.machine=0123456789abcdef0123456789abcdef\nowner.boot=b\nowner.pid=4242\n"
                + "owner.started=2026-01-01T00\\:00\\:00Z\n");
        remote.check(TIMEOUT, List.of("touch", "-d", "3 minutes ago", runs.file(dead + ".lease").toString()));
        teardown.register("remove the dead run's lease", () -> RunLease.remove(runs, dead));
        for (String r : List.of(dead, run)) {
            String bridge = "vu" + r + "b0";
            teardown.register("delete " + bridge, () -> there.ovs().deleteBridge(bridge));
            there.ovs().addBridge(bridge, Map.of("virtunit-run", r, "virtunit-pid", "4242",
                    "virtunit-machine", "0123456789abcdef0123456789abcdef"));
            teardown.register("delete namespace of " + r, () -> there.namespaces().deleteNamespace("vu" + r + "u0"));
            there.namespaces().addNamespace("vu" + r + "u0");
            teardown.register("delete link of " + r, () -> there.links().deleteLink("vu" + r + "x0"));
            there.links().addVethPair("vu" + r + "x0", "vu" + r + "x1");
            teardown.register("delete table of " + r, () -> there.nftables().deleteTable("vu_" + r + "_b0"));
            there.nftables().load("add table ip vu_" + r + "_b0\n");
        }

        Sweeper.Result result;
        try (LibvirtHypervisor hypervisor = LibvirtHypervisor.connect(secondHost.get("uri"))) {
            result = Sweeper.onHost(hypervisor, there, stateDir, HOST_STATE).sweep();
        }

        assertThat(result.failures()).isEmpty();
        assertThat(result.removed()).contains("Open vSwitch bridge vu" + dead + "b0", "link vu" + dead + "x0",
                "network namespace vu" + dead + "u0 and its processes", "nftables table ip vu_" + dead + "_b0");
        assertThat(there.ovs().bridgeExists("vu" + dead + "b0")).isFalse();
        assertThat(there.namespaces().namespaceExists("vu" + dead + "u0")).isFalse();
        assertThat(there.links().linkExists("vu" + dead + "x0")).isFalse();
        assertThat(there.nftables().tableExists("vu_" + dead + "_b0")).isFalse();
        assertThat(runs.list()).doesNotContain(dead + ".lease");
        // The live run: its lease is this JVM's and fresh.
        assertThat(there.ovs().bridgeExists("vu" + run + "b0")).isTrue();
        assertThat(there.namespaces().namespaceExists("vu" + run + "u0")).isTrue();
        assertThat(there.links().linkExists("vu" + run + "x0")).isTrue();
        assertThat(there.nftables().tableExists("vu_" + run + "_b0")).isTrue();
        assertThat(result.spared()).anyMatch(line -> line.startsWith("run " + run + " (no record here, on "));
    }
}
