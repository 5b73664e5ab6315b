package dev.virtunit.internal.lab;

import dev.virtunit.PoolHost;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Which host of a pool a guest goes to, by one rule a person can check in the log: its declared host; else, of the
 * hosts below their guest limit with room for its memory, the one with the most free capacity, the smaller of its
 * free share of cores (cores less the vCPUs of the lab's guests there) and of memory (free memory when the lab
 * started, less the memory of the lab's guests there); a tie goes to the host with fewer of the lab's guests now, then
 * to the one that has had fewer so far (so that one test class after another takes turns), then to the first listed. No host fits: the guest waits ({@link Optional#empty()}).
 */
final class GuestPlacement {

    private GuestPlacement() {
    }

    /**
     * A host's capacity and the lab's load on it.
     *
     * @param host          the pool host (name, limit)
     * @param cores         its logical CPUs; 0 when unknown
     * @param freeMemoryMiB its free memory when the lab started; negative when unknown
     * @param guests        the lab's guests on it now
     * @param vcpus         their vCPUs
     * @param memoryMiB     their memory
     * @param placedSoFar   how many of the lab's guests it has had, removed ones included
     */
    record Load(PoolHost host, int cores, long freeMemoryMiB, int guests, int vcpus, long memoryMiB, int placedSoFar) {

        boolean belowLimit() {
            return guests < host.maxGuests();
        }

        boolean fits(long guestMemoryMiB) {
            return freeMemoryMiB < 0 || freeMemoryMiB - memoryMiB >= guestMemoryMiB;
        }

        /** The smaller free share of cores and memory, after the guests placed; 1 for what is unknown. */
        double freeShare() {
            double coreShare = cores <= 0 ? 1 : (cores - vcpus) / (double) cores;
            double memoryShare = freeMemoryMiB <= 0 ? 1 : (freeMemoryMiB - memoryMiB) / (double) freeMemoryMiB;
            return Math.min(coreShare, memoryShare);
        }

        /** {@code kvm1: 1 guest, 3/4 cores, 7.5 GiB free, at most 4 guests}: what the log shows of a host. */
        String describe() {
            return host.name() + ": " + guests + (guests == 1 ? " guest" : " guests") + ", "
                    + (cores <= 0 ? "cores unknown" : (cores - vcpus) + "/" + cores + " cores free") + ", "
                    + (freeMemoryMiB < 0 ? "memory unknown" : String.format(Locale.ROOT, "%.1f GiB free",
                    (freeMemoryMiB - memoryMiB) / 1024.0)) + ", " + host.limitText();
        }
    }

    /**
     * The chosen host and why.
     *
     * @param index  its index in the loads given
     * @param reason "declared" or the comparison that chose it, for the log
     */
    record Choice(int index, String reason) {
    }

    /**
     * The host for a guest of {@code vcpus} and {@code memoryMiB}, or empty when it must wait for a guest to go.
     *
     * @param declared the host the guest named, already known to be one of {@code loads}
     */
    static Optional<Choice> choose(List<Load> loads, Optional<String> declared, int vcpus, long memoryMiB) {
        if (declared.isPresent()) {
            for (int i = 0; i < loads.size(); i++) {
                Load load = loads.get(i);
                if (load.host().name().equals(declared.get())) {
                    return load.belowLimit() && load.fits(memoryMiB)
                            ? Optional.of(new Choice(i, "declared host " + load.host().name()))
                            : Optional.empty();
                }
            }
            throw new IllegalArgumentException("no host " + declared.get() + " among " + loads);
        }
        int best = -1;
        for (int i = 0; i < loads.size(); i++) {
            Load load = loads.get(i);
            if (!load.belowLimit() || !load.fits(memoryMiB)) {
                continue;
            }
            if (best < 0 || better(load, loads.get(best))) {
                best = i;
            }
        }
        if (best < 0) {
            return Optional.empty();
        }
        List<String> seen = new ArrayList<>();
        loads.forEach(load -> seen.add(load.describe()));
        return Optional.of(new Choice(best, "most free capacity (" + String.join("; ", seen) + ")"));
    }

    private static boolean better(Load candidate, Load best) {
        int byShare = Double.compare(candidate.freeShare(), best.freeShare());
        if (byShare != 0) {
            return byShare > 0;
        }
        if (candidate.guests() != best.guests()) {
            return candidate.guests() < best.guests();
        }
        return candidate.placedSoFar() < best.placedSoFar();
    }
}
