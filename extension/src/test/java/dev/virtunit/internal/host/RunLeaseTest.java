package dev.virtunit.internal.host;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** A run's lease on its host, its files made by the host's own tools in a temporary folder standing for it. */
class RunLeaseTest {

    private static final String OTHER_MACHINE = "0123456789abcdef0123456789abcdef";

    @TempDir
    Path hostState;

    private final RecordingHostCommands others = new RecordingHostCommands();
    private final SplitHost host = new SplitHost(others);

    private HostFolder runs() {
        return RunLease.runsFolder(HostFiles.over(host), hostState.toString());
    }

    @Test
    void aLiveRunsLeaseNamesItsOwnerIsTouchedWhileItRunsAndGoesWithItsFolder() throws Exception {
        RunLease lease = RunLease.start(runs(), "1a2b3c", ProcessOwner.current(), Duration.ofMillis(50));
        Path file = hostState.resolve("runs/1a2b3c.lease");
        Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));
        lease.folder().folder("java").create();

        await("the heartbeat").atMost(Duration.ofSeconds(10))
                .until(() -> Files.getLastModifiedTime(file).toInstant().isAfter(Instant.parse("2021-01-01T00:00:00Z")));
        RunLease.Seen seen = RunLease.all(runs()).get(0);
        assertThat(seen.run()).isEqualTo("1a2b3c");
        assertThat(seen.owner()).contains(ProcessOwner.current());
        assertThat(seen.isAbandoned()).isFalse();
        assertThat(RunLease.liveOwners(runs())).containsExactly(ProcessOwner.current());
        lease.close();
        lease.close();

        assertThat(file).doesNotExist();
        assertThat(hostState.resolve("runs/1a2b3c")).doesNotExist();
    }

    @Test
    void aKeptRunsLeaseAndFolderStayAfterCloseUntilTheirTime() {
        RunLease lease = RunLease.start(HostFiles.over(host), hostState.toString(), "4d5e6f");
        Instant until = Instant.now().plusSeconds(3600);
        lease.markKept(until);
        lease.close();

        RunLease.Seen seen = RunLease.all(runs()).get(0);
        assertThat(seen.keptUntil()).contains(until);
        assertThat(seen.isAbandoned()).isFalse();
        assertThat(hostState.resolve("runs/4d5e6f")).isDirectory();
    }

    @Test
    void anotherMachinesRunIsJudgedByItsHeartbeatAndThisMachinesByItsProcess() {
        ProcessOwner elsewhere = new ProcessOwner(OTHER_MACHINE, "boot", 4242, Instant.EPOCH);
        ProcessOwner deadHere = new ProcessOwner(ProcessOwner.thisMachine(), ProcessOwner.currentBootId(), 2147483646L,
                Instant.EPOCH);

        assertThat(new RunLease.Seen("a", Optional.of(elsewhere), Optional.empty(), 30).isAbandoned()).isFalse();
        assertThat(new RunLease.Seen("a", Optional.of(elsewhere), Optional.empty(), 121).isAbandoned()).isTrue();
        assertThat(new RunLease.Seen("a", Optional.of(deadHere), Optional.empty(), 0).isAbandoned()).isTrue();
        assertThat(new RunLease.Seen("a", Optional.empty(), Optional.empty(), 121).isAbandoned()).isTrue();
        assertThat(new RunLease.Seen("a", Optional.of(elsewhere), Optional.of(Instant.now().minusSeconds(1)), 0)
                .isAbandoned()).isTrue();
    }

    @Test
    void aLeaseThatCannotBeWrittenFailsNamingTheFile() {
        RecordingHostCommands broken = new RecordingHostCommands().failFirst(java.util.List.of("dd"));

        assertThatThrownBy(() -> RunLease.start(HostFiles.over(broken), "/var/lib/virtunit", "1a2b3c"))
                .hasMessageStartingWith("cannot write /var/lib/virtunit/runs/1a2b3c.lease on ")
                .hasMessageEndingWith(RecordingHostCommands.INJECTED);
    }
}
