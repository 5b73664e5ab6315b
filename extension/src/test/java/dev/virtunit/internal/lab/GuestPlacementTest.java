package dev.virtunit.internal.lab;

import dev.virtunit.HostLogin;
import dev.virtunit.PoolHost;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The placement rule: declared host, else the most free share of cores and memory, below each host's limit. */
class GuestPlacementTest {

    private static PoolHost host(String name, int limit) {
        return new PoolHost(name, "qemu+tcp://" + name + "/system", HostLogin.DEFAULT, limit);
    }

    private static GuestPlacement.Load load(String name, int limit, int cores, long freeMiB, int guests, int vcpus,
                                            long memoryMiB) {
        return new GuestPlacement.Load(host(name, limit), cores, freeMiB, guests, vcpus, memoryMiB, guests);
    }

    @Test
    void theHostWithTheMostFreeShareOfCoresAndMemoryWins() {
        List<GuestPlacement.Load> loads = List.of(
                load("a", PoolHost.NO_LIMIT, 4, 8192, 2, 2, 1024),   // cores 2/4 free, memory 7/8: 0.5
                load("b", PoolHost.NO_LIMIT, 8, 8192, 1, 1, 4096));  // cores 7/8, memory 4/8: 0.5... memory decides

        GuestPlacement.Choice choice = GuestPlacement.choose(loads, Optional.empty(), 1, 512).orElseThrow();

        // a: min(0.5, 0.875) = 0.5; b: min(0.875, 0.5) = 0.5: a tie, and b has fewer guests.
        assertThat(choice.index()).isEqualTo(1);
        assertThat(choice.reason()).startsWith("most free capacity (a: 2 guests, 2/4 cores free, 7.0 GiB free, no limit; "
                + "b: 1 guest, 7/8 cores free, 4.0 GiB free, no limit)");
    }

    @Test
    void aTieOfShareAndGuestsGoesToTheHostThatHadFewerSoFarSoThatClassesTakeTurns() {
        List<GuestPlacement.Load> loads = List.of(
                new GuestPlacement.Load(host("a", 5), 2, 4096, 0, 0, 0, 3),
                new GuestPlacement.Load(host("b", 5), 2, 4096, 0, 0, 0, 2));

        assertThat(GuestPlacement.choose(loads, Optional.empty(), 1, 256)).map(GuestPlacement.Choice::index).contains(1);
    }

    @Test
    void aTieOfShareAndGuestsGoesToTheFirstListed() {
        List<GuestPlacement.Load> loads = List.of(load("a", 5, 2, 4096, 0, 0, 0), load("b", 5, 2, 4096, 0, 0, 0));

        assertThat(GuestPlacement.choose(loads, Optional.empty(), 1, 256)).map(GuestPlacement.Choice::index).contains(0);
    }

    @Test
    void aHostAtItsLimitOrWithoutRoomForTheMemoryIsPassedOver() {
        List<GuestPlacement.Load> loads = List.of(
                load("full", 1, 16, 65536, 1, 1, 256),
                load("small", PoolHost.NO_LIMIT, 16, 1024, 0, 0, 0),
                load("busy", PoolHost.NO_LIMIT, 2, 8192, 3, 3, 768));

        assertThat(GuestPlacement.choose(loads, Optional.empty(), 1, 2048)).map(GuestPlacement.Choice::index)
                .contains(2);
    }

    @Test
    void noHostWithRoomMeansTheGuestWaits() {
        List<GuestPlacement.Load> loads = List.of(load("a", 1, 2, 4096, 1, 1, 256), load("b", 2, 2, 4096, 2, 2, 512));

        assertThat(GuestPlacement.choose(loads, Optional.empty(), 1, 256)).isEmpty();
    }

    @Test
    void aDeclaredHostIsTakenWhateverTheOthersHaveAndWaitedForWhenFull() {
        List<GuestPlacement.Load> loads = List.of(load("a", 2, 64, 65536, 0, 0, 0), load("b", 2, 2, 4096, 1, 2, 512));

        assertThat(GuestPlacement.choose(loads, Optional.of("b"), 1, 256)).map(GuestPlacement.Choice::reason)
                .contains("declared host b");
        List<GuestPlacement.Load> full = List.of(load("a", 2, 64, 65536, 0, 0, 0), load("b", 1, 2, 4096, 1, 2, 512));
        assertThat(GuestPlacement.choose(full, Optional.of("b"), 1, 256)).isEmpty();
    }

    @Test
    void unknownCapacityCountsAsFreeSoGuestCountsDecide() {
        List<GuestPlacement.Load> loads = List.of(load("a", 9, 0, -1, 2, 2, 512), load("b", 9, 0, -1, 1, 1, 256));

        assertThat(GuestPlacement.choose(loads, Optional.empty(), 1, 256)).map(GuestPlacement.Choice::index).contains(1);
    }

    @Test
    void coresAreCountedFromTheCapabilitiesCells() {
        assertThat(PoolMember.cores("<topology><cells num='2'><cell id='0'><cpus num='4'></cpus></cell>"
                + "<cell id='1'><cpus num='4'></cpus></cell></cells></topology>")).isEqualTo(8);
        assertThat(PoolMember.cores("<capabilities/>")).isZero();
    }
}
