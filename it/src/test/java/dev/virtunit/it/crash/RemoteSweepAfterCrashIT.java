package dev.virtunit.it.crash;

import dev.virtunit.Lab;
import dev.virtunit.internal.host.HostCommands;
import dev.virtunit.internal.host.OneAtATimeHostCommands;
import dev.virtunit.internal.ssh.SshHostCommands;
import dev.virtunit.it.remote.SecondHost;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A test JVM whose lab is on the second host, killed with SIGKILL during its test, leaves nothing there once the
 * next lab on that host has started: its guests, bridges, links, upstream namespace and its processes, NAT table,
 * pool and its lease on the host, all found and removed through the remote libvirt and the host's SSH. Runs only
 * with {@code -Dvirtunit.secondHost=/var/lib/virtunit-hosts/<NAME>} (as in {@code scripts/run-tests}).
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class RemoteSweepAfterCrashIT {

    private static SecondHost secondHost;
    private static SshHostCommands ssh;
    private static RunTraces there;

    private final List<ForkedLab> children = new ArrayList<>();

    @BeforeAll
    static void named() throws IOException {
        secondHost = SecondHost.named();
        ssh = secondHost.commands();
        // One at a time, as a lab uses the host: its dropbear drops channels opened side by side.
        HostCommands host = new OneAtATimeHostCommands(ssh);
        there = RunTraces.on(host, secondHost.get("uri"));
    }

    @AfterAll
    static void disconnect() {
        if (ssh != null) {
            ssh.close();
        }
    }

    @AfterEach
    void killWhatIsLeft() {
        children.forEach(child -> child.process.destroyForcibly());
    }

    @Test
    void sigkillDuringTheTestLeavesNothingOnTheSecondHostOnceTheNextLabThereStarts() {
        ForkedLab child = ForkedLab.start(children, secondHost.labProperties());
        child.await("ready");
        String run = child.run;

        child.kill();

        assertThat(there.left(run)).as("what the killed run left on the second host")
                .contains("ovs bridge vu" + run + "b0", "link vu" + run + "b1", "netns vu" + run + "u0",
                        "nft table ip vu_" + run + "_b0", "file " + RunTraces.STATE_DIR.resolve("runs").resolve(run + ".lease"))
                .anyMatch(trace -> trace.startsWith("domain vu-" + run + "-"));
        // Here: its record and its subnet leases (a lab chooses subnets on its own machine), nothing of the host's.
        assertThat(hereWithoutTheSecondHostsProcesses(run)).as("what it left on this machine")
                .contains("file " + RunTraces.STATE_DIR.resolve("runs").resolve(run + ".run"))
                .allMatch(trace -> trace.startsWith("lease ") || trace.startsWith("file "));

        try (Lab lab = Lab.start(secondHost.labConfig())) {
            assertThat(lab.runId()).isNotEqualTo(run);
        }

        assertThat(there.left(run)).as("left on the second host after the next lab's sweep").isEmpty();
        assertThat(hereWithoutTheSecondHostsProcesses(run)).as("left on this machine after the next lab's sweep").isEmpty();
    }

    /**
     * The run's traces on this machine, but for QEMU processes: the simulated second host shares this machine's
     * process table, so its guests' processes show here too (on a real remote host they would not); they are
     * counted there.
     */
    private static List<String> hereWithoutTheSecondHostsProcesses(String run) {
        return RunTraces.of(run).stream().filter(trace -> !trace.startsWith("qemu process ")).toList();
    }
}
