package dev.virtunit.internal.net;

import dev.virtunit.VirtunitException;
import dev.virtunit.internal.host.HostFiles;
import dev.virtunit.internal.host.ProcessOwner;
import dev.virtunit.internal.host.RecordingHostCommands;
import dev.virtunit.internal.host.SplitHost;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * IP forwarding on a remote host ({@link IpForwarding#onHost}): its holders counted in a folder of that host, made
 * with that host's tools ({@link SplitHost}: the file programs and flock run for real in a temporary folder, sysctl is
 * recorded), a holder of another machine judged by its run's lease there.
 */
class HostIpForwardingTest {

    private static final List<String> READ = List.of("sysctl", "-n", "net.ipv4.ip_forward");
    private static final String ON = "sysctl -q -w net.ipv4.ip_forward=1";
    private static final String OFF = "sysctl -q -w net.ipv4.ip_forward=0";
    private static final String OTHER_MACHINE = "0123456789abcdef0123456789abcdef";

    @TempDir
    Path hostState;

    private final RecordingHostCommands sysctl = new RecordingHostCommands();
    private final SplitHost host = new SplitHost(sysctl);

    private List<String> holderFiles() throws IOException {
        Path dir = hostState.resolve("forwarding");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).filter(name -> name.endsWith(".holder")).toList();
        }
    }

    /** A holder of a JVM of another machine, and (when {@code leaseAgo} is not null) its run's lease that old. */
    private void foreignHolder(String leaseAgo) throws IOException, InterruptedException {
        Path dir = Files.createDirectories(hostState.resolve("forwarding"));
        Files.writeString(dir.resolve("4242-1.holder"), "4242 2026-01-01T00:00:00Z boot-x - - " + OTHER_MACHINE + "\n");
        if (leaseAgo != null) {
            Path runs = Files.createDirectories(hostState.resolve("runs"));
            Path lease = Files.writeString(runs.resolve("c0ffee.lease"), "owner.machine=" + OTHER_MACHINE
                    + "\nowner.boot=boot-x\nowner.pid=4242\nowner.started=2026-01-01T00\\:00\\:00Z\n");
            new ProcessBuilder("touch", "-d", leaseAgo, lease.toString()).start().waitFor();
        }
    }

    @Test
    void holdersAreCountedOnTheHostUnderItsLockAndTheLastPutsBackWhatTheFirstFound() throws IOException {
        sysctl.answer(READ, "0\n");
        IpForwarding forwarding = IpForwarding.onHost(host, HostFiles.over(host), hostState.toString());

        IpForwarding.Lease lease = forwarding.acquire();
        assertThat(holderFiles()).hasSize(1);
        String holder = Files.readString(hostState.resolve("forwarding").resolve(holderFiles().get(0)));
        assertThat(holder).as("a holder on a shared host names its machine")
                .endsWith(" - - " + ProcessOwner.thisMachine() + "\n");
        assertThat(Files.readString(hostState.resolve("forwarding/original"))).isEqualTo("0\n");
        lease.close();

        assertThat(sysctl.rendered()).containsExactly("sysctl -n net.ipv4.ip_forward", ON, OFF);
        assertThat(holderFiles()).isEmpty();
        assertThat(hostState.resolve("forwarding/original")).doesNotExist();
    }

    @Test
    void aHolderOfAnotherMachineCountsWhileItsRunsLeaseIsFresh() throws Exception {
        sysctl.answer(READ, "0\n");
        foreignHolder("now");
        sysctl.answer(READ, "1\n");
        Files.writeString(hostState.resolve("forwarding/original"), "0\n");

        IpForwarding.onHost(host, HostFiles.over(host), hostState.toString()).acquire().close();

        assertThat(sysctl.rendered()).as("the other machine's run still routes").doesNotContain(OFF);
        assertThat(holderFiles()).containsExactly("4242-1.holder");
    }

    @Test
    void aHolderOfAnotherMachineWhoseLeaseIsStaleNoLongerCounts() throws Exception {
        foreignHolder("3 minutes ago");
        Files.writeString(hostState.resolve("forwarding/original"), "0\n");

        IpForwarding.onHost(host, HostFiles.over(host), hostState.toString()).restoreIfUnheld();

        assertThat(sysctl.rendered()).containsExactly(OFF);
        assertThat(holderFiles()).isEmpty();
    }

    @Test
    void aHolderOfAnotherMachineWithoutALeaseNoLongerCounts() throws Exception {
        foreignHolder(null);
        Files.writeString(hostState.resolve("forwarding/original"), "0\n");

        IpForwarding.onHost(host, HostFiles.over(host), hostState.toString()).restoreIfUnheld();

        assertThat(sysctl.rendered()).containsExactly(OFF);
        assertThat(holderFiles()).isEmpty();
    }

    @Test
    void aLockThatIsNeverHeldFailsNamingTheFolderAndTheRemedy() {
        // flock "started" but ended without saying it holds the lock (missing there, or gave up).
        RecordingHostCommands noFlock = new RecordingHostCommands();
        HostHolderFiles files = new HostHolderFiles(noFlock,
                HostFiles.over(noFlock).folder(Path.of("/var/lib/virtunit/forwarding")));

        assertThatThrownBy(() -> files.locked(() -> "never"))
                .isInstanceOf(VirtunitException.class)
                .hasMessageStartingWith("cannot lock the IP forwarding holders in /var/lib/virtunit/forwarding on ")
                .hasMessageContaining("util-linux and coreutils provide them");
        assertThat(noFlock.rendered()).containsExactly("mkdir -p -- /var/lib/virtunit/forwarding",
                "stdbuf -oL flock --verbose -w 30 /var/lib/virtunit/forwarding/.lock timeout 120 cat");
        assertThat(noFlock.started().get(0).inputClosed()).as("the lock process is ended").isTrue();
    }

    @Test
    void aFailedSwitchOnTheHostHoldsNothingThere() throws IOException {
        sysctl.answer(READ, "0\n");
        sysctl.answer(List.of("sysctl", "-q", "-w"), 1, "", "sysctl: permission denied on key \"net.ipv4.ip_forward\"");

        assertThatThrownBy(() -> IpForwarding.onHost(host, HostFiles.over(host), hostState.toString()).acquire())
                .isInstanceOf(VirtunitException.class)
                .hasMessageContaining("cannot set IP forwarding to 1");
        assertThat(holderFiles()).isEmpty();
        assertThat(hostState.resolve("forwarding/original")).doesNotExist();
    }
}
