package dev.virtunit.bench;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * One run of one tool at one N: each phase's seconds and the resident memory of each guest's qemu once it was ready.
 *
 * @param tool       who built the topology
 * @param n          how many guests
 * @param run        the run's number at this N, from 1; a virtunit run and a baseline run with the same number form
 *                   a pair
 * @param seconds    every {@link Phase}'s seconds
 * @param qemuRssKib each guest's qemu VmRSS in KiB, once the guest answered SSH
 * @since 0.3
 */
public record TopologyRun(Tool tool, int n, int run, Map<Phase, Double> seconds, List<Long> qemuRssKib) {

    /** Copies the figures and checks that every phase has one. */
    public TopologyRun {
        seconds = new EnumMap<>(seconds);
        qemuRssKib = List.copyOf(qemuRssKib);
        for (Phase phase : Phase.values()) {
            if (!seconds.containsKey(phase)) {
                throw new IllegalArgumentException(tool.label() + " run " + run + " at N=" + n + " has no time for "
                        + "phase " + phase.key() + "; every phase must be measured");
            }
        }
    }

    /** {@return the seconds of {@code phase}} */
    public double secondsOf(Phase phase) {
        return seconds.get(phase);
    }

    /**
     * {@return from nothing to the first assertion done: provision, boot and the first NAT ping, without teardown}
     *
     * @since 0.4
     */
    public double toFirstAssertion() {
        return total() - secondsOf(Phase.TEARDOWN);
    }

    /** {@return all phases together: from nothing to the first assertion and back to nothing} */
    public double total() {
        return seconds.values().stream().mapToDouble(Double::doubleValue).sum();
    }
}
