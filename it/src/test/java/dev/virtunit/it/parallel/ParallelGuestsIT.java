package dev.virtunit.it.parallel;

import dev.virtunit.Bridge;
import dev.virtunit.Guest;
import dev.virtunit.internal.host.Command;
import dev.virtunit.internal.lab.BootSlots;
import dev.virtunit.junit.LibvirtGuest;
import dev.virtunit.junit.LibvirtTest;
import dev.virtunit.junit.OvsBridge;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static dev.virtunit.assertions.VirtunitAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * JUnit's parallel execution with guests and bridges, shown rather than assumed: three classes run at once, each with
 * an OVS bridge, a static guest and a per-test guest, two test methods each pinging guest to guest over SSH (the
 * issue's nine guests on two cores). It asserts that every test passed, that test methods of different classes
 * really overlapped in time, that no more guests booted at once than the boot limit (counted from the lab's own
 * slot events, in the order they happened), that guests did queue for it, and that nothing of the run is left.
 */
class ParallelGuestsIT {

    private static final int BOOT_LIMIT = 2;

    /** When each test method ran (from its beforeEach to its afterEach): its class, its name, start and end. */
    record Interval(String testClass, String method, Instant start, Instant end) {
        boolean overlaps(Interval other) {
            return start.isBefore(other.end) && other.start.isBefore(end);
        }
    }

    static final List<Interval> intervals = new CopyOnWriteArrayList<>();

    /**
     * Records each test method's whole run as JUnit executes it, its per-test guest's boot included: registered on
     * the superclass, it runs before the extension's own beforeEach and after its afterEach.
     */
    static final class RecordsInterval implements BeforeEachCallback, AfterEachCallback {
        private static final ExtensionContext.Namespace TIMES = ExtensionContext.Namespace.create(RecordsInterval.class);

        @Override
        public void beforeEach(ExtensionContext context) {
            context.getStore(TIMES).put("start", Instant.now());
        }

        @Override
        public void afterEach(ExtensionContext context) {
            intervals.add(new Interval(context.getRequiredTestClass().getSimpleName(), context.getDisplayName(),
                    context.getStore(TIMES).get("start", Instant.class), Instant.now()));
        }
    }

    /**
     * One class's tests and its per-test guest; each nested class declares its own bridge and static guest (static
     * fields here would be shared by all three).
     */
    @ExtendWith(RecordsInterval.class)
    abstract static class PingsAcrossItsBridge {
        @LibvirtGuest(image = "${virtunit.testImage}", network = "lan")
        Guest client;

        @Test
        void thePerTestGuestPingsTheStaticOne() {
            assertThat(client.ping(server().address())).isReachable();
        }

        @Test
        void theStaticGuestPingsThePerTestOne() {
            assertThat(server().ping(client.address())).isReachable();
        }

        abstract Guest server();
    }

    @LibvirtTest
    static class First extends PingsAcrossItsBridge {
        @OvsBridge
        static Bridge lan;
        @LibvirtGuest(image = "${virtunit.testImage}", network = "lan")
        static Guest server;

        Guest server() {
            return server;
        }
    }

    @LibvirtTest
    static class Second extends PingsAcrossItsBridge {
        @OvsBridge
        static Bridge lan;
        @LibvirtGuest(image = "${virtunit.testImage}", network = "lan")
        static Guest server;

        Guest server() {
            return server;
        }
    }

    @LibvirtTest
    static class Third extends PingsAcrossItsBridge {
        @OvsBridge
        static Bridge lan;
        @LibvirtGuest(image = "${virtunit.testImage}", network = "lan")
        static Guest server;

        Guest server() {
            return server;
        }
    }

    @Test
    void threeClassesRunConcurrentlyWithinTheBootLimitAndLeaveNothing() throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        Set<String> guests = ConcurrentHashMap.newKeySet();
        int[] booting = {0};
        int[] mostBooting = {0};
        EngineExecutionResults results;
        long started = System.nanoTime();
        // Our own count of slots held, from events the lab reports under its lock in the order they happened.
        try (AutoCloseable watch = BootSlots.observe(new BootSlots.Observer() {
            @Override
            public synchronized void taken(String guest, int held, int limit, Instant at) {
                guests.add(guest);
                booting[0]++;
                mostBooting[0] = Math.max(mostBooting[0], booting[0]);
                events.add(at + " took    " + guest + " (" + booting[0] + " booting)");
            }

            @Override
            public synchronized void givenBack(String guest, int held, int limit, Instant at) {
                booting[0]--;
                events.add(at + " gave back " + guest + " (" + booting[0] + " booting)");
            }
        })) {
            results = EngineTestKit.engine("junit-jupiter")
                    .configurationParameter("junit.jupiter.execution.parallel.enabled", "true")
                    .configurationParameter("junit.jupiter.execution.parallel.mode.default", "concurrent")
                    .configurationParameter("junit.jupiter.execution.parallel.mode.classes.default", "concurrent")
                    .configurationParameter("junit.jupiter.execution.parallel.config.strategy", "fixed")
                    .configurationParameter("junit.jupiter.execution.parallel.config.fixed.parallelism", "6")
                    .configurationParameter("virtunit.boot.concurrency", Integer.toString(BOOT_LIMIT))
                    .selectors(selectClass(First.class), selectClass(Second.class), selectClass(Third.class))
                    .execute();
        }
        System.out.printf("ParallelGuestsIT: 3 classes, %d guests, boot limit %d, %.0f s%n  %s%n  %s%n", guests.size(),
                BOOT_LIMIT, (System.nanoTime() - started) / 1e9, String.join("\n  ", events),
                String.join("\n  ", intervals.stream().map(Interval::toString).toList()));

        // What failed inside, with its message (a guest that was not ready says its phase and console): the kit
        // keeps the inner failures to itself, and the statistics alone say only how many.
        results.allEvents().failed().stream().forEach(event -> System.out.printf("ParallelGuestsIT: %s failed: %s%n",
                event.getTestDescriptor().getDisplayName(), event.getPayload(TestExecutionResult.class)
                        .flatMap(TestExecutionResult::getThrowable).map(Throwable::toString).orElse("?")));
        results.testEvents().assertStatistics(stats -> stats.succeeded(6).failed(0));
        assertThat(guests).as("3 static and 6 per-test guests").hasSize(9);
        assertThat(mostBooting[0]).as("guests booting at once").isEqualTo(BOOT_LIMIT);
        assertThat(booting[0]).as("every slot given back").isZero();
        List<String> overlapping = new ArrayList<>();
        for (Interval one : intervals) {
            for (Interval other : intervals) {
                if (!one.testClass().equals(other.testClass()) && one.overlaps(other)) {
                    overlapping.add(one.testClass() + "." + one.method() + " / " + other.testClass() + "." + other.method());
                }
            }
        }
        assertThat(overlapping).as("test methods of different classes running at the same time").isNotEmpty();

        String run = guests.iterator().next().split("-")[1];
        assertThat(Command.check(Duration.ofSeconds(30), "virsh", "-c", "qemu:///system", "list", "--all", "--name")
                .stdout()).doesNotContain("vu-" + run + "-");
        assertThat(Command.check(Duration.ofSeconds(10), "ip", "-o", "link").stdout()).doesNotContain("vu" + run);
        assertThat(Command.check(Duration.ofSeconds(10), "ovs-vsctl", "list-br").stdout()).doesNotContain("vu" + run);
        assertThat(Command.check(Duration.ofSeconds(10), "ls", "/var/lib/virtunit/leases").stdout()).doesNotContain(run);
    }
}
