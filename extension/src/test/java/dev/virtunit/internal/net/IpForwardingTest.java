package dev.virtunit.internal.net;

import dev.virtunit.internal.host.RecordingHostCommands;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Through a fake host and temporary holder folders: what is read and written, and when, in one JVM and across JVMs. */
class IpForwardingTest {

    private static final List<String> READ = List.of("sysctl", "-n", "net.ipv4.ip_forward");
    private static final String ON = "sysctl -q -w net.ipv4.ip_forward=1";
    private static final String OFF = "sysctl -q -w net.ipv4.ip_forward=0";

    private final RecordingHostCommands host = new RecordingHostCommands();
    private final IpForwarding forwarding = new IpForwarding(new Sysctls(host));

    @Test
    void onAtTheFirstLeaseThenRestoredAfterTheLast() {
        host.answer(READ, "0\n");

        IpForwarding.Lease first = forwarding.acquire();
        assertThat(host.rendered()).containsExactly("sysctl -n net.ipv4.ip_forward", ON);
        IpForwarding.Lease second = forwarding.acquire();
        first.close();
        first.close();
        assertThat(forwarding.holders()).as("closing twice counts once").isEqualTo(1);
        assertThat(host.rendered()).as("still held by the second lease").doesNotContain(OFF);
        second.close();

        assertThat(host.rendered()).containsExactly("sysctl -n net.ipv4.ip_forward", ON, OFF);
        assertThat(forwarding.holders()).isZero();
    }

    @Test
    void untouchedWhenItWasAlreadyOn() {
        host.answer(READ, "1\n");

        forwarding.acquire().close();

        assertThat(host.rendered()).containsExactly("sysctl -n net.ipv4.ip_forward");
    }

    @Test
    void aNewRoundReadsTheValueAgain() {
        host.answer(READ, "0\n");
        forwarding.acquire().close();
        host.answer(READ, "1\n"); // someone else switched it on in between

        forwarding.acquire().close();

        assertThat(host.rendered()).containsExactly("sysctl -n net.ipv4.ip_forward", ON, OFF,
                "sysctl -n net.ipv4.ip_forward");
    }

    @Test
    void aFailedSwitchSaysRootIsNeededAndHoldsNothing() {
        host.answer(READ, "0\n");
        host.answer(List.of("sysctl", "-q", "-w"), 255, "", "sysctl: permission denied on key \"net.ipv4.ip_forward\"");

        assertThatThrownBy(forwarding::acquire)
                .hasMessageStartingWith("cannot set IP forwarding to 1 (virtunit must run as root")
                .hasMessageContaining("permission denied");
        assertThat(forwarding.holders()).isZero();
    }

    /** Two JVMs on one host: one holders folder, each its own process identity; {@code dead} lists the gone ones. */
    private final Set<Long> dead = ConcurrentHashMap.newKeySet();

    private IpForwarding jvm(long pid, Path dir) {
        return new IpForwarding(new Sysctls(host), dir,
                new IpForwarding.HolderProcess(pid, Instant.EPOCH, "boot-1"), holder -> !dead.contains(holder.pid()));
    }

    @Test
    void acrossJvmsTheLastLiveHolderRestoresWhatTheFirstFound(@TempDir Path dir) {
        host.answer(READ, "0\n");
        IpForwarding one = jvm(101, dir);
        IpForwarding two = jvm(202, dir);

        IpForwarding.Lease first = one.acquire();
        host.answer(READ, "1\n");
        IpForwarding.Lease second = two.acquire();
        first.close();
        assertThat(host.rendered()).as("the other JVM still routes").containsExactly("sysctl -n net.ipv4.ip_forward", ON);
        second.close();

        assertThat(host.rendered()).containsExactly("sysctl -n net.ipv4.ip_forward", ON, OFF);
        assertThat(dir).isDirectoryNotContaining("glob:**.holder").isDirectoryNotContaining("glob:**/original");
    }

    @Test
    void aHolderWhoseProcessDiedNoLongerCountsAndItsSavedValueIsRestored(@TempDir Path dir) {
        host.answer(READ, "0\n");
        jvm(101, dir).acquire(); // never closed: its JVM is killed
        dead.add(101L);
        host.answer(READ, "1\n"); // the dead JVM left forwarding on

        IpForwarding.Lease lease = jvm(202, dir).acquire();
        lease.close();

        assertThat(host.rendered()).as("the value found before the dead JVM came is the one put back")
                .containsExactly("sysctl -n net.ipv4.ip_forward", ON, "sysctl -n net.ipv4.ip_forward", OFF);
        assertThat(dir).isDirectoryNotContaining("glob:**.holder");
    }

    @Test
    void aLiveHolderOfAnotherJvmKeepsItOnAfterThisJvmLetsGo(@TempDir Path dir) {
        host.answer(READ, "0\n");
        IpForwarding.Lease other = jvm(101, dir).acquire();

        jvm(202, dir).acquire().close();

        assertThat(host.rendered()).doesNotContain(OFF);
        other.close();
        assertThat(host.rendered()).endsWith(OFF);
    }

    @Test
    void theNextSweepPutsBackWhatAKilledJvmLeftOnWithNoOtherHolder(@TempDir Path dir) {
        host.answer(READ, "0\n");
        jvm(101, dir).acquire(); // never closed: its JVM is killed
        dead.add(101L);

        jvm(202, dir).restoreIfUnheld();

        assertThat(host.rendered()).containsExactly("sysctl -n net.ipv4.ip_forward", ON, OFF);
        assertThat(dir).isDirectoryNotContaining("glob:**.holder").isDirectoryNotContaining("glob:**/original");
    }

    @Test
    void aSweepLeavesForwardingOnWhileALiveHolderRoutes(@TempDir Path dir) {
        host.answer(READ, "0\n");
        IpForwarding.Lease live = jvm(101, dir).acquire();

        jvm(202, dir).restoreIfUnheld();

        assertThat(host.rendered()).doesNotContain(OFF);
        live.close();
        assertThat(host.rendered()).endsWith(OFF);
    }

    @Test
    void aLeaseKeptForInspectionHoldsAfterItsJvmDiedUntilItsTimeToLive(@TempDir Path dir) {
        host.answer(READ, "0\n");
        IpForwarding kept = jvm(101, dir);
        kept.acquire(); // a kept NAT bridge's lease: never closed
        kept.keepOpenLeasesUntil(Instant.now().plusSeconds(3600), "a1b2c3");
        dead.add(101L); // the JVM that kept it exits

        jvm(202, dir).restoreIfUnheld();
        jvm(303, dir).acquire().close();
        assertThat(host.rendered()).as("the kept NAT still forwards").doesNotContain(OFF);
        assertThat(dir).isDirectoryContaining("glob:**.holder");
    }

    @Test
    void aKeptLeaseWhoseTimeToLiveIsOverNoLongerHolds(@TempDir Path dir) {
        host.answer(READ, "0\n");
        IpForwarding kept = jvm(101, dir);
        kept.acquire();
        kept.keepOpenLeasesUntil(Instant.now().minusSeconds(1), "a1b2c3");
        dead.add(101L);

        jvm(202, dir).restoreIfUnheld();

        assertThat(host.rendered()).endsWith(OFF);
        assertThat(dir).isDirectoryNotContaining("glob:**.holder");
    }

    @Test
    void aLeaseClosedAfterBeingMarkedKeptIsLetGoAsUsual(@TempDir Path dir) {
        host.answer(READ, "0\n");
        IpForwarding one = jvm(101, dir);
        IpForwarding.Lease lease = one.acquire();
        one.keepOpenLeasesUntil(Instant.now().plusSeconds(3600), "a1b2c3");

        lease.close();

        assertThat(host.rendered()).endsWith(OFF);
    }

    @Test
    void sweepingTheRunThatKeptALeaseLetsItGoBeforeItsTimeToLive(@TempDir Path dir) {
        host.answer(READ, "0\n");
        IpForwarding kept = jvm(101, dir);
        kept.acquire();
        kept.keepOpenLeasesUntil(Instant.now().plusSeconds(3600), "a1b2c3");
        dead.add(101L);

        jvm(202, dir).releaseKeptBy("d4e5f6");
        assertThat(host.rendered()).as("another run's sweep").doesNotContain(OFF);
        jvm(202, dir).releaseKeptBy("a1b2c3");

        assertThat(host.rendered()).endsWith(OFF);
        assertThat(dir).isDirectoryNotContaining("glob:**.holder").isDirectoryNotContaining("glob:**/original");
    }
}
