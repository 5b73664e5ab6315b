package dev.virtunit.it.speed;

import dev.virtunit.Bridge;
import dev.virtunit.BridgeSpec;
import dev.virtunit.Guest;
import dev.virtunit.GuestSpec;
import dev.virtunit.LabConfig;
import dev.virtunit.Upstream;
import dev.virtunit.internal.host.HostCommands;
import dev.virtunit.internal.lab.LabSession;
import dev.virtunit.internal.lab.Names;
import dev.virtunit.internal.libvirt.LibvirtHypervisor;
import dev.virtunit.internal.net.HostNetworking;
import dev.virtunit.internal.net.IpForwarding;
import dev.virtunit.junit.LibvirtGuest;
import dev.virtunit.junit.LibvirtTest;
import dev.virtunit.junit.Nic;
import dev.virtunit.junit.OvsBridge;
import dev.virtunit.junit.UpstreamHost;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.EventType;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;

import static dev.virtunit.assertions.VirtunitAssertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * Diagnosis, not a benchmark: where the time of a topology (upstream + OVS bridge with NAT + N tiny guests) goes,
 * phase by phase, through the {@code Lab} API (with every host command and libvirt call counted and timed) and
 * through the JUnit annotations (wall times between JUnit's events). It prints figures and asserts nothing about
 * them. Only on request: {@code -Dvirtunit.speed=true}, with {@code -Dvirtunit.speed.rounds=3},
 * {@code -Dvirtunit.speed.guests=2} and {@code -Dvirtunit.speed.sideBySide=true} (false: one guest after another).
 */
@EnabledIfSystemProperty(named = "virtunit.speed", matches = "true")
class TopologyPhasesIT {

    private static final int ROUNDS = Integer.getInteger("virtunit.speed.rounds", 3);
    private static final int GUESTS = Integer.getInteger("virtunit.speed.guests", 2);
    private static final boolean SIDE_BY_SIDE = Boolean.parseBoolean(System.getProperty("virtunit.speed.sideBySide", "true"));
    private static final String TO_FIRST_NAT_PING = "start to first NAT ping";

    @Test
    void labApiPhases() {
        Path image = Path.of(System.getProperty("virtunit.testImage"));
        List<Map<String, Long>> rounds = new ArrayList<>();
        for (int round = 1; round <= ROUNDS; round++) {
            PhaseClock clock = new PhaseClock();
            long began = System.nanoTime();
            HostCommands commands = clock.timing(HostCommands.local());
            LabSession lab = clock.time("lab start", () -> LabSession.start(LabConfig.fromEnvironment(),
                    uri -> clock.timing(LibvirtHypervisor.connect(uri)),
                    new HostNetworking(commands, IpForwarding.system())));
            long toPing;
            try {
                Upstream internet = clock.time("upstream", lab::upstream);
                Bridge lan = clock.time("OVS bridge with NAT", () -> lab.bridge(BridgeSpec.ovs()
                        .withGateway(Bridge.Gateway.ON_VETH).withNat(internet.uplinkInterface())));
                List<GuestSpec> specs = IntStream.range(0, GUESTS)
                        .mapToObj(i -> GuestSpec.builder().image(image).nic(lan).build()).toList();
                List<Guest> guests;
                try (ConsoleWatch consoles = new ConsoleWatch(lab.config().stateDir().resolve("pools")
                        .resolve(Names.pool(lab.runId())), System.nanoTime())) {
                    guests = SIDE_BY_SIDE ? clock.time(GUESTS + " guests side by side", () -> lab.guests(specs))
                            : clock.time(GUESTS + " guests one by one", () -> specs.stream().map(lab::guest).toList());
                    System.out.println("SPEED guests' init lines as the host saw them, from the guests' creation:\n"
                            + consoles.report());
                }
                toPing = guests.isEmpty() ? 0 : exercise(clock, internet, guests, began);
            } finally {
                clock.run("teardown (lab close)", lab::close);
            }
            Map<String, Long> wall = clock.wallNanos();
            wall.put(TO_FIRST_NAT_PING, toPing);
            wall.put("whole round", System.nanoTime() - began);
            rounds.add(wall);
            System.out.printf(Locale.ROOT, "%nSPEED round %d (Lab API, %d tiny guests %s): phases, host commands and "
                    + "libvirt calls%n%s", round, GUESTS, SIDE_BY_SIDE ? "side by side" : "one by one", clock.breakdown());
        }
        printMedians("Lab API, " + GUESTS + " tiny guests " + (SIDE_BY_SIDE ? "side by side" : "one by one"), rounds);
    }

    /** The guests' first steps: a NAT ping, an SSH command, NAT's source seen upstream; gives the time to the ping. */
    private static long exercise(PhaseClock clock, Upstream internet, List<Guest> guests, long began) {
        Guest first = guests.get(0);
        clock.run("first NAT ping (1 echo)", () -> assertThat(first.ping(internet.address(), 1)).isReachable());
        long toPing = System.nanoTime() - began;
        clock.run("first SSH command", () -> first.ssh().exec("true"));
        clock.run("NAT source seen upstream", () -> assertThat(first).appearsToUpstreamAs(internet, internet.hostAddress()));
        if (guests.size() > 1) {
            clock.run("guest to guest ping (1)", () -> assertThat(guests.get(1).ping(first.address(), 1)).isReachable());
        }
        return toPing;
    }

    /** The same topology declared with annotations; JUnit's event times split it into set-up, test and teardown. */
    @LibvirtTest
    static class AnnotatedTopology {
        @UpstreamHost
        static Upstream internet;

        @OvsBridge(gateway = Bridge.Gateway.ON_VETH, natUplink = "internet")
        static Bridge lan;

        @LibvirtGuest(image = "${virtunit.testImage}", nics = @Nic(network = "lan"))
        static Guest first;

        @LibvirtGuest(image = "${virtunit.testImage}", nics = @Nic(network = "lan"))
        static Guest second;

        @Test
        void natPing() {
            assertThat(first.ping(internet.address(), 1)).isReachable();
        }
    }

    @Test
    void annotationPhases() {
        List<Map<String, Long>> rounds = new ArrayList<>();
        for (int round = 1; round <= ROUNDS; round++) {
            EngineExecutionResults results = EngineTestKit.engine("junit-jupiter")
                    .selectors(selectClass(AnnotatedTopology.class)).execute();
            results.testEvents().assertStatistics(stats -> stats.succeeded(1));
            List<Event> events = results.allEvents().list();
            Instant engineStarted = at(events, EventType.STARTED, "engine");
            Instant classStarted = at(events, EventType.STARTED, "class");
            Instant testStarted = at(events, EventType.STARTED, "method");
            Instant testFinished = at(events, EventType.FINISHED, "method");
            Instant classFinished = at(events, EventType.FINISHED, "class");
            Instant engineFinished = at(events, EventType.FINISHED, "engine");
            Map<String, Long> wall = new LinkedHashMap<>();
            // The lab starts in the class's execution condition, before JUnit reports the class started.
            wall.put("lab start (before class)", nanos(engineStarted, classStarted));
            wall.put("upstream, bridge, guests", nanos(classStarted, testStarted));
            wall.put("test: first NAT ping", nanos(testStarted, testFinished));
            wall.put("class teardown", nanos(testFinished, classFinished));
            wall.put("lab close", nanos(classFinished, engineFinished));
            wall.put(TO_FIRST_NAT_PING, nanos(engineStarted, testFinished));
            wall.put("whole round", nanos(engineStarted, engineFinished));
            rounds.add(wall);
        }
        printMedians("JUnit annotations, 2 tiny guests", rounds);
    }

    private static Instant at(List<Event> events, EventType type, String segmentType) {
        return events.stream().filter(e -> e.getType() == type)
                .filter(e -> e.getTestDescriptor().getUniqueId().getLastSegment().getType().equals(segmentType))
                .map(Event::getTimestamp).findFirst().orElseThrow(() -> new AssertionError("no " + type + " " + segmentType));
    }

    private static long nanos(Instant from, Instant to) {
        return Duration.between(from, to).toNanos();
    }

    private static void printMedians(String what, List<Map<String, Long>> rounds) {
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "%nSPEED %s: median of %d rounds (and each round), ms%n",
                what, rounds.size()));
        for (String phase : rounds.get(0).keySet()) {
            List<Long> values = rounds.stream().map(r -> r.getOrDefault(phase, 0L)).sorted().toList();
            out.append(String.format(Locale.ROOT, "  %-28s %7.0f   %s%n", phase, PhaseClock.ms(values.get(values.size() / 2)),
                    rounds.stream().map(r -> String.format(Locale.ROOT, "%.0f", PhaseClock.ms(r.getOrDefault(phase, 0L)))).toList()));
        }
        System.out.print(out);
    }
}
