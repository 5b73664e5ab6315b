package dev.virtunit.it.soak;

import dev.virtunit.Bridge;
import dev.virtunit.BridgeSpec;
import dev.virtunit.Guest;
import dev.virtunit.GuestSpec;
import dev.virtunit.Lab;
import dev.virtunit.Upstream;
import dev.virtunit.internal.host.Command;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import static dev.virtunit.assertions.VirtunitAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Provision and tear down, over and over: each cycle a {@link Lab} makes an upstream, an OVS bridge with NAT toward
 * it and two tiny guests on it, checks NAT once, and closes. Nothing may grow: objects of the soak's runs on the
 * host (libvirt, OVS, links, namespaces, nftables, state files, qemu processes) must be zero after every close, and
 * the JVM's open file descriptors, live threads and heap after a GC must stay where they were after the first
 * (warm-up) cycle. It prints a table every 10 cycles and at the end.
 *
 * <p>Only on request, as it takes about half a minute a cycle: {@code -Dvirtunit.soak=CYCLES} (see the README).
 */
@EnabledIfSystemProperty(named = "virtunit.soak", matches = "[0-9]+")
class SoakIT {

    private static final int CYCLES = Integer.getInteger("virtunit.soak");
    private static final Duration STEP = Duration.ofSeconds(60);
    /** Descriptors and threads: a pooled thread or a cached jar handle may come and go; a leak grows every cycle. */
    private static final int FD_AND_THREAD_TOLERANCE = 3;
    private static final long HEAP_TOLERANCE_MIB = 10;

    /** One row: what the soak's runs left on the host, and the JVM's figures, after a cycle. */
    record Figures(int cycle, int hostObjects, int fds, int threads, long heapMiB, double seconds) {
        String row() {
            return String.format(Locale.ROOT, "%6d %12d %6d %8d %9d %9.1f", cycle, hostObjects, fds, threads, heapMiB,
                    seconds);
        }
    }

    @Test
    void provisionAndTeardownLeaveNothingAndGrowNothing() {
        Path image = Path.of(System.getProperty("virtunit.testImage"));
        List<String> runs = new ArrayList<>();
        List<Figures> table = new ArrayList<>();
        Figures start = figures(0, runs, 0);
        table.add(start);
        for (int cycle = 1; cycle <= CYCLES; cycle++) {
            long began = System.nanoTime();
            oneCycle(image, runs);
            Figures after = figures(cycle, runs, (System.nanoTime() - began) / 1e9);
            table.add(after);
            assertThat(leftovers(runs)).as("objects of the soak's runs left after cycle %d", cycle).isEmpty();
            if (cycle % 10 == 0) {
                print(table, "after " + cycle + " cycles");
            }
        }
        print(table, "at the end");

        Figures warm = table.get(Math.min(1, table.size() - 1));
        Figures last = table.get(table.size() - 1);
        assertThat(last.fds()).as("open file descriptors, after warm-up %d", warm.fds())
                .isLessThanOrEqualTo(warm.fds() + FD_AND_THREAD_TOLERANCE);
        assertThat(last.threads()).as("live threads, after warm-up %d", warm.threads())
                .isLessThanOrEqualTo(warm.threads() + FD_AND_THREAD_TOLERANCE);
        assertThat(last.heapMiB()).as("heap used after GC in MiB, after warm-up %d", warm.heapMiB())
                .isLessThanOrEqualTo(warm.heapMiB() + HEAP_TOLERANCE_MIB);
    }

    private static void oneCycle(Path image, List<String> runs) {
        try (Lab lab = Lab.start()) {
            runs.add(lab.runId());
            Upstream internet = lab.upstream();
            Bridge lan = lab.bridge(BridgeSpec.ovs().withGateway(Bridge.Gateway.ON_VETH)
                    .withNat(internet.uplinkInterface()));
            Guest first = lab.guest(GuestSpec.builder().image(image).nic(lan).build());
            Guest second = lab.guest(GuestSpec.builder().image(image).nic(lan).build());
            assertThat(first).canReach(internet).appearsToUpstreamAs(internet, internet.hostAddress());
            assertThat(second.ping(first.address())).isReachable();
        }
    }

    private static Figures figures(int cycle, List<String> runs, double seconds) {
        System.gc();
        var memory = ManagementFactory.getMemoryMXBean();
        long heap = memory.getHeapMemoryUsage().getUsed() / (1024 * 1024);
        return new Figures(cycle, leftovers(runs).size(), openFileDescriptors(),
                ManagementFactory.getThreadMXBean().getThreadCount(), heap, seconds);
    }

    private static int openFileDescriptors() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return (int) fds.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every object on the host whose name carries one of the soak's run ids, described by kind. */
    private static List<String> leftovers(List<String> runs) {
        List<String> found = new ArrayList<>();
        for (String run : runs) {
            collect(found, "domain", run, "virsh", "-c", "qemu:///system", "list", "--all", "--name");
            collect(found, "network", run, "virsh", "-c", "qemu:///system", "net-list", "--all", "--name");
            collect(found, "pool", run, "virsh", "-c", "qemu:///system", "pool-list", "--all", "--name");
            collect(found, "ovs bridge", run, "ovs-vsctl", "list-br");
            collect(found, "link", run, "ip", "-o", "link", "show");
            collect(found, "namespace", run, "ip", "netns", "list");
            collect(found, "nftables table", run, "nft", "list", "tables");
            collect(found, "process", run, "ps", "-eo", "pid,args");
            for (String dir : List.of("runs", "pools", "leases")) {
                Path state = Path.of("/var/lib/virtunit", dir);
                if (Files.isDirectory(state)) {
                    try (Stream<Path> files = Files.list(state)) {
                        files.filter(f -> mentions(f, run)).forEach(f -> found.add("state file " + f));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            }
        }
        return found;
    }

    private static void collect(List<String> found, String kind, String run, String... argv) {
        String listing = Command.check(STEP, argv).stdout();
        Arrays.stream(listing.split("\n")).filter(line -> carriesRun(line, run) && !line.contains("ps -eo"))
                .forEach(line -> found.add(kind + " " + line.strip()));
    }

    /** The run's names: {@code vu-<run>-...} (libvirt), {@code vu<run>...} (Linux), {@code vu_<run>_...} (nft). */
    private static boolean carriesRun(String text, String run) {
        return text.contains("vu-" + run + "-") || text.contains("vu" + run) || text.contains("vu_" + run + "_");
    }

    private static boolean mentions(Path file, String run) {
        if (file.getFileName().toString().contains(run)) {
            return true;
        }
        try {
            return Files.isRegularFile(file) && Files.size(file) < 4096 && Files.readString(file).contains(run);
        } catch (IOException e) {
            return false;
        }
    }

    private static void print(List<Figures> table, String when) {
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "%nSOAK %s (%d cycles of upstream + OVS "
                + "bridge with NAT + 2 tiny guests + NAT check, then close)%n", when, table.size() - 1));
        out.append(" cycle  hostObjects    fds  threads  heapMiB  seconds\n");
        for (Figures row : table) {
            if (table.size() <= 12 || row.cycle() <= 1 || row.cycle() % 10 == 0 || row == table.get(table.size() - 1)) {
                out.append(row.row()).append('\n');
            }
        }
        System.out.print(out);
    }
}
