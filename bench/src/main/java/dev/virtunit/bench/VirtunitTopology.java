package dev.virtunit.bench;

import dev.virtunit.Bridge;
import dev.virtunit.BridgeSpec;
import dev.virtunit.Guest;
import dev.virtunit.GuestSpec;
import dev.virtunit.Lab;
import dev.virtunit.Upstream;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import static dev.virtunit.assertions.VirtunitAssertions.assertThat;

/**
 * The benchmark's topology built with virtunit's {@link Lab}, as a user's code would: the lab, an upstream, an OVS
 * bridge with its gateway on a veth and NAT toward the upstream, then N guests booted side by side
 * ({@link Lab#guests}), one ping through NAT from each, and {@link Lab#close()}. Each phase is timed on its own; the
 * guests' qemu memory and the JVM's are read between phases, outside the timing.
 *
 * @since 0.3
 */
public final class VirtunitTopology {

    private final Path image;
    private final List<JvmSample> jvmSamples = Collections.synchronizedList(new ArrayList<>());

    /** @param image the tiny image every guest boots */
    public VirtunitTopology(Path image) {
        this.image = image;
    }

    /** {@return the JVM's memory, read once per run while its guests were up} */
    public List<JvmSample> jvmSamples() {
        return List.copyOf(jvmSamples);
    }

    /**
     * Builds and removes the topology once.
     *
     * @param n   how many guests
     * @param run the run's number at this N
     * @return its figures
     */
    public TopologyRun run(int n, int run) {
        Map<Phase, Double> seconds = new EnumMap<>(Phase.class);
        List<Long> rss = new ArrayList<>();
        long began = System.nanoTime();
        // The lab's start (connection, sweep of dead runs, the run's pool) is part of what a user waits for.
        Lab lab = Lab.start();
        boolean closed = false;
        try {
            Upstream upstream = lab.upstream();
            Bridge lan = lab.bridge(BridgeSpec.ovs().withGateway(Bridge.Gateway.ON_VETH)
                    .withNat(upstream.uplinkInterface()));
            began = lap(seconds, Phase.PROVISION, began);

            List<GuestSpec> specs = Collections.nCopies(n, GuestSpec.builder().image(image).nic(lan).build());
            List<Guest> guests = lab.guests(specs);
            lap(seconds, Phase.BOOT, began);
            for (Guest guest : guests) {
                rss.add(ProcessMemory.qemuRssKib(guest.name()));
            }
            jvmSamples.add(ProcessMemory.jvm());

            began = System.nanoTime();
            for (Guest guest : guests) {
                assertThat(guest.ping(upstream.address(), 1)).isReachable();
            }
            began = lap(seconds, Phase.FIRST_ASSERTION, began);

            closed = true;
            lab.close();
            lap(seconds, Phase.TEARDOWN, began);
        } finally {
            if (!closed) {
                lab.close();
            }
        }
        System.out.println("  [virtunit] N=" + n + " run " + run + ": " + seconds);
        return new TopologyRun(Tool.VIRTUNIT, n, run, seconds, rss);
    }

    private static long lap(Map<Phase, Double> seconds, Phase phase, long began) {
        long now = System.nanoTime();
        seconds.put(phase, (now - began) / 1e9);
        return now;
    }
}
