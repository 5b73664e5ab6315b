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
 * <p>Cold, every guest boots ({@code virtunit.restore=off} while the lab starts, whatever the JVM was given);
 * restored ({@link #restored}), every guest is restored from its shape's template ({@code virtunit.restore=on}),
 * which {@link #saveTemplate()} saves before the measured runs, and each run checks after its ping, outside the
 * timing, that every guest really was restored rather than booted.
 *
 * @since 0.3
 */
public final class VirtunitTopology {

    /** virtunit's setting for restoring guests from a template (docs/restore.md). */
    static final String RESTORE_SETTING = "virtunit.restore";
    /** What the tiny image's boot log says once a restored copy received its identity. */
    static final String RESTORED_MARK = "template: identity received";

    private final Path image;
    private final boolean restored;
    private final List<JvmSample> jvmSamples = Collections.synchronizedList(new ArrayList<>());

    /** @param image the tiny image every guest boots */
    public VirtunitTopology(Path image) {
        this(image, false);
    }

    private VirtunitTopology(Path image, boolean restored) {
        this.image = image;
        this.restored = restored;
    }

    /**
     * The topology with every guest restored from a saved template ({@code virtunit.restore=on}).
     *
     * @param image the tiny image every guest's template boots
     * @return its measurement
     * @since 0.4
     */
    public static VirtunitTopology restored(Path image) {
        return new VirtunitTopology(image, true);
    }

    /** {@return {@link Tool#RESTORED} or {@link Tool#VIRTUNIT}} */
    public Tool tool() {
        return restored ? Tool.RESTORED : Tool.VIRTUNIT;
    }

    /**
     * Builds the topology once with one guest, not counted, so that the template of the benchmark's guest shape is
     * saved (or found in the cache) before the measured runs; a guest that was booted instead fails it, naming why
     * to look in the log.
     *
     * @return the seconds it took: a template's boot and save when none was cached
     * @since 0.4
     */
    public double saveTemplate() {
        long began = System.nanoTime();
        int samples = jvmSamples.size();
        run(1, 0);
        // Not counted: nor is the JVM's memory during it.
        jvmSamples.subList(samples, jvmSamples.size()).clear();
        return (System.nanoTime() - began) / 1e9;
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
        Lab lab = startLab();
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
            if (restored) {
                long paused = System.nanoTime();
                guests.forEach(VirtunitTopology::requireRestored);
                began += System.nanoTime() - paused;
            }

            closed = true;
            lab.close();
            lap(seconds, Phase.TEARDOWN, began);
        } finally {
            if (!closed) {
                lab.close();
            }
        }
        System.out.println("  [" + tool().label() + "] N=" + n + " run " + run + ": " + seconds);
        return new TopologyRun(tool(), n, run, seconds, rss);
    }

    /** The lab, with restoring on or off as this measurement needs: the setting is read as the lab starts. */
    private Lab startLab() {
        String before = System.getProperty(RESTORE_SETTING);
        System.setProperty(RESTORE_SETTING, restored ? "on" : "off");
        try {
            return Lab.start();
        } finally {
            if (before == null) {
                System.clearProperty(RESTORE_SETTING);
            } else {
                System.setProperty(RESTORE_SETTING, before);
            }
        }
    }

    /** A restored run whose guest booted instead would measure a cold boot under the restored label. */
    private static void requireRestored(Guest guest) {
        String count = guest.ssh().exec("grep -c '" + RESTORED_MARK + "' /run/virtunit/boot.log").stdout().strip();
        if (!count.equals("1")) {
            throw new IllegalStateException("guest " + guest.name() + " was booted, not restored from a template "
                    + "(its /run/virtunit/boot.log has no '" + RESTORED_MARK + "'); the log says why after 'boots "
                    + "instead of being restored' (docs/restore.md: the tiny image must have template mode, built by "
                    + "scripts/build-test-image)");
        }
    }

    private static long lap(Map<Phase, Double> seconds, Phase phase, long began) {
        long now = System.nanoTime();
        seconds.put(phase, (now - began) / 1e9);
        return now;
    }
}
