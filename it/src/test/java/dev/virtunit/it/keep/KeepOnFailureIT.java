package dev.virtunit.it.keep;

import dev.virtunit.Bridge;
import dev.virtunit.Guest;
import dev.virtunit.Lab;
import dev.virtunit.LabConfig;
import dev.virtunit.Upstream;
import dev.virtunit.internal.host.Command;
import dev.virtunit.internal.host.CommandResult;
import dev.virtunit.internal.lab.RunRecord;
import dev.virtunit.junit.LibvirtGuest;
import dev.virtunit.junit.LibvirtTest;
import dev.virtunit.junit.OvsBridge;
import dev.virtunit.junit.UpstreamHost;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * Keep-on-failure with real guests, bridges, NAT and an upstream, through real JUnit (EngineTestKit): with cleanup
 * on-success and one failing test, the class's static guest, the bridge, its NAT and the upstream stay, running and
 * reachable with the command the log gives; the failing test's own guests stay, the passing test's go; the run is
 * kept for its time to live, a later lab's sweep leaves it alone before and removes it after.
 */
class KeepOnFailureIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Duration TTL = Duration.ofMinutes(10);

    static final List<String> seen = new CopyOnWriteArrayList<>();

    @LibvirtTest
    static class OneTestFails {
        @UpstreamHost
        static Upstream internet;

        @OvsBridge(gateway = Bridge.Gateway.ON_VETH, natUplink = "internet")
        static Bridge lan;

        @LibvirtGuest(image = "${virtunit.testImage}", network = "lan")
        static Guest router;

        @LibvirtGuest(image = "${virtunit.testImage}", network = "lan")
        Guest own;

        @Test
        void fails(@LibvirtGuest(image = "${virtunit.testImage}", network = "lan") Guest param) {
            seen.addAll(List.of("static " + router.name(), "failing-instance " + own.name(),
                    "failing-param " + param.name(), "upstream " + internet.address()));
            fail("on purpose: what this class made must be kept");
        }

        @Test
        void passes(@LibvirtGuest(image = "${virtunit.testImage}", network = "lan") Guest param) {
            seen.addAll(List.of("passing-instance " + own.name(), "passing-param " + param.name()));
        }
    }

    private String keptRun;

    @Test
    void aFailureKeepsTheClassesTopologyReachableUntilItsTimeToLive() throws Exception {
        seen.clear();
        Instant before = Instant.now();
        String log = runCapturingLog();
        Instant after = Instant.now();

        String router = seen("static");
        keptRun = router.split("-")[1];
        // Kept and running: the static guest, the failing test's instance and parameter guests.
        for (String guest : List.of(router, seen("failing-instance"), seen("failing-param"))) {
            assertThat(virsh("domstate", guest).stdout()).as(guest).contains("running");
        }
        // Gone: the passing test's.
        for (String guest : List.of(seen("passing-instance"), seen("passing-param"))) {
            assertThat(virsh("dominfo", guest).succeeded()).as(guest).isFalse();
        }
        // Kept: the bridge, its NAT table and the upstream.
        assertThat(Command.run(TIMEOUT, "ovs-vsctl", "br-exists", "vu" + keptRun + "b0").exitCode()).isZero();
        assertThat(Command.run(TIMEOUT, "nft", "list", "table", "ip", "vu_" + keptRun + "_b0").succeeded()).isTrue();
        assertThat(Command.check(TIMEOUT, "ip", "netns", "list").stdout()).contains("vu" + keptRun + "u0");

        // The ssh command of the log, as pasted into a shell: it logs in, and from the guest the upstream answers
        // a ping, which only NAT makes possible (the upstream has no route back to the guest subnet).
        String ssh = sshCommandFor(router, log);
        long translated = OneTestFails.lan.natTranslatedPackets();
        CommandResult pinged = pasted(ssh + " ping -c 1 -W 5 " + seen("upstream"));
        assertThat(pinged.exitCode()).as("%s: %s %s", pinged.argv(), pinged.stdout(), pinged.stderr()).isZero();
        assertThat(OneTestFails.lan.natTranslatedPackets()).isGreaterThan(translated);
        assertThat(log).contains("virsh -c qemu:///system console " + router,
                "nft list table ip vu_" + keptRun + "_b0", "ip netns exec vu" + keptRun + "u0 ip -br addr");

        // Kept for the time to live, from when it was kept: a lab started meanwhile leaves it alone.
        RunRecord record = record(keptRun);
        assertThat(record.keptUntil()).hasValueSatisfying(until -> assertThat(until).isBetween(before.plus(TTL), after.plus(TTL)));
        try (Lab meanwhile = Lab.start(LabConfig.fromEnvironment())) {
            assertThat(meanwhile.runId()).isNotEqualTo(keptRun);
        }
        assertThat(virsh("domstate", router).stdout()).contains("running");

        // Its time to live over (shortened here rather than waited for), the next lab's sweep removes it.
        RunRecord expiring = record.markKept(Duration.ofSeconds(1));
        await().atMost(Duration.ofSeconds(10)).until(expiring::isAbandoned);
        try (Lab later = Lab.start(LabConfig.fromEnvironment())) {
            assertThat(later.runId()).isNotEqualTo(keptRun);
        }
        assertThat(virsh("list", "--all", "--name").stdout()).doesNotContain("vu-" + keptRun + "-");
        assertThat(virsh("pool-list", "--all", "--name").stdout()).doesNotContain("vu-" + keptRun + "-");
        assertThat(RunRecord.all(LabConfig.fromEnvironment().stateDir())).noneMatch(r -> r.run().equals(keptRun));
        // ... and the host side of it too: the bridge, its NAT table, the upstream's namespace, the subnet leases.
        assertThat(Command.run(TIMEOUT, "ovs-vsctl", "br-exists", "vu" + keptRun + "b0").exitCode()).isNotZero();
        assertThat(Command.run(TIMEOUT, "nft", "list", "table", "ip", "vu_" + keptRun + "_b0").succeeded()).isFalse();
        assertThat(Command.check(TIMEOUT, "ip", "netns", "list").stdout()).doesNotContain("vu" + keptRun + "u0");
        assertThat(Command.check(TIMEOUT, "ip", "-o", "link").stdout()).doesNotContain("vu" + keptRun);
        assertThat(leasesOf(keptRun)).isEmpty();
    }

    /** Runs the class with cleanup on-success and the time to live; returns what it logged. */
    private String runCapturingLog() {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        EngineExecutionResults results;
        try {
            results = EngineTestKit.engine("junit-jupiter")
                    .configurationParameter("virtunit.cleanup", "on-success")
                    .configurationParameter("virtunit.keep.ttl", TTL.toString())
                    .selectors(selectClass(OneTestFails.class))
                    .execute();
        } finally {
            System.setErr(err);
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        err.print(log);
        results.testEvents().assertStatistics(stats -> stats.succeeded(1).failed(1));
        return log;
    }

    /** The {@code ssh ...} of guest {@code guest}'s line in the "kept for inspection" block. */
    private static String sshCommandFor(String guest, String log) {
        String marker = "guest " + guest + ": ";
        return log.lines().filter(line -> line.contains(marker)).findFirst()
                .map(line -> line.substring(line.indexOf(marker) + marker.length()).strip())
                .orElseThrow(() -> new AssertionError("no ssh command for " + guest + " in the log:\n" + log));
    }

    /** Runs {@code command} as a person pasting it into a shell would; no terminal, so no prompt can wait. */
    private static CommandResult pasted(String command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder("bash", "-c", command).redirectInput(ProcessBuilder.Redirect.from(
                new java.io.File("/dev/null"))).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("still running after 60 s: " + command);
        }
        return new CommandResult(List.of("bash", "-c", command), process.exitValue(),
                new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8), Duration.ZERO);
    }

    private static RunRecord record(String run) {
        return RunRecord.all(LabConfig.fromEnvironment().stateDir()).stream().filter(r -> r.run().equals(run))
                .findFirst().orElseThrow(() -> new AssertionError("no run record for kept run " + run));
    }

    private static String seen(String what) {
        return seen.stream().filter(s -> s.startsWith(what + " ")).findFirst()
                .orElseThrow(() -> new AssertionError("no " + what + " in " + seen)).substring(what.length() + 1);
    }

    private static CommandResult virsh(String... args) {
        List<String> argv = new java.util.ArrayList<>(List.of("virsh", "-c", "qemu:///system"));
        argv.addAll(List.of(args));
        return Command.run(TIMEOUT, argv);
    }

    /** The subnet lease files that name {@code run} as their owner. */
    private static List<Path> leasesOf(String run) throws IOException {
        Path leases = LabConfig.fromEnvironment().stateDir().resolve("leases");
        if (!Files.isDirectory(leases)) {
            return List.of();
        }
        try (var files = Files.list(leases)) {
            return files.filter(lease -> {
                try {
                    return Files.readString(lease).strip().equals(run);
                } catch (IOException gone) {
                    return false;
                }
            }).toList();
        }
    }

    /** Removes whatever of the kept run is left (all of it if the test stopped early), by its three name forms. */
    @AfterEach
    void removeWhatWasKept() {
        if (keptRun == null) {
            return;
        }
        for (String prefix : List.of("vu-" + keptRun + "-", "vu" + keptRun, "vu_" + keptRun + "_")) {
            Command.run(Duration.ofSeconds(300), "../scripts/check-leftovers", "--remove", "--quiet", "--prefix", prefix);
            CommandResult left = Command.run(Duration.ofSeconds(120), "../scripts/check-leftovers", "--quiet", "--prefix", prefix);
            assertThat(left.exitCode()).as("left of run %s: %s", keptRun, left.stdout()).isZero();
        }
    }
}
