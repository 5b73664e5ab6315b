package dev.virtunit.junit;

import dev.virtunit.Bridge;
import dev.virtunit.Guest;
import dev.virtunit.Network;
import dev.virtunit.Upstream;
import dev.virtunit.internal.lab.FakeLabHost;
import dev.virtunit.internal.lab.LabSession;
import dev.virtunit.internal.lab.RunRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * Cleanup modes through real JUnit on a lab of fakes ({@link FakeLabHost}): with on-success, a failure anywhere in a
 * class (a test, a nested class, a parameterized invocation, a callback) keeps the class's static guests and every
 * bridge, network and upstream it made, and the run is marked kept for the time to live; a passing class leaves
 * nothing; guests of passing tests go as usual; never keeps everything.
 */
class KeepOnFailureTest {

    private static final String IMAGE_PROPERTY = "virtunit.keep-test.image";
    private static final Duration TTL = Duration.ofHours(2);

    @TempDir
    static Path scratch;

    /** What the test cases saw, {@code "<what> <guest name>"}; and whether the cases that may fail do. */
    static final List<String> seen = new CopyOnWriteArrayList<>();
    static volatile boolean failing;

    private final Path stateDir = scratch.resolve("state-" + System.nanoTime());
    private final FakeLabHost host = new FakeLabHost();
    private LabSession lab;
    private String log;

    @BeforeAll
    static void makeImage() {
        System.setProperty(IMAGE_PROPERTY, FakeLabHost.blankImage(scratch).toString());
    }

    @AfterAll
    static void forgetImage() {
        System.clearProperty(IMAGE_PROPERTY);
    }

    @BeforeEach
    void onFakes() {
        seen.clear();
        failing = true;
        LibvirtExtension.labStarter = config -> {
            lab = host.start(config);
            return lab;
        };
    }

    @AfterEach
    void onLibvirtAgain() {
        LibvirtExtension.labStarter = LabSession::start;
    }

    /** Runs {@code testCase} in real JUnit with cleanup {@code mode}; its log lands in {@link #log}. */
    private EngineExecutionResults run(Class<?> testCase, String mode) {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        EngineExecutionResults results;
        try {
            results = EngineTestKit.engine("junit-jupiter")
                    .configurationParameters(Map.of("virtunit.libvirt.uri", "test:///default",
                            "virtunit.state.dir", stateDir.toString(),
                            "virtunit.cache.dir", stateDir.resolve("cache").toString(),
                            "virtunit.cleanup", mode, "virtunit.keep.ttl", TTL.toString()))
                    .selectors(selectClass(testCase))
                    .execute();
        } finally {
            System.setErr(err);
            log = captured.toString(StandardCharsets.UTF_8);
            err.print(log);
        }
        // A class that failed as a whole (in beforeAll, say) is no case of these tests: say why it did.
        results.containerEvents().failed().stream().forEach(event -> event.getPayload(TestExecutionResult.class)
                .flatMap(TestExecutionResult::getThrowable).ifPresent(Throwable::printStackTrace));
        return results;
    }

    private static String guest(String what) {
        return seen.stream().filter(s -> s.startsWith(what + " ")).findFirst().orElseThrow(
                () -> new AssertionError("no " + what + " in " + seen)).substring(what.length() + 1);
    }

    private boolean domainExists(String name) {
        return host.libvirtObjects().contains("domain " + name);
    }

    private String run() {
        return lab.runId();
    }

    // ---- a class with a static guest on a bridge with NAT toward an upstream, and a libvirt network ----

    @LibvirtTest
    static class Topology {
        @UpstreamHost
        static Upstream internet;

        @OvsBridge(gateway = Bridge.Gateway.ON_VETH, natUplink = "internet")
        static Bridge lan;

        @LibvirtNetwork
        static Network office;

        @LibvirtGuest(image = "${" + IMAGE_PROPERTY + "}", network = "lan", awaitSsh = false)
        static Guest router;

        @Test
        void passes() {
            seen.add("static " + router.name());
        }

        @Test
        void failsWhenTold() {
            assertThat(failing).as("the failing test").isFalse();
        }
    }

    @Test
    void aFailedTestKeepsItsClassesStaticGuestAndEveryNetworkItMade() {
        Instant before = Instant.now();
        EngineExecutionResults results = run(Topology.class, "on-success");
        Instant after = Instant.now();

        results.testEvents().assertStatistics(stats -> stats.succeeded(1).failed(1));
        String router = guest("static");
        String r = run();
        assertThat(host.domainState(router)).isEqualTo("RUNNING");
        assertThat(host.libvirtObjects()).contains("network vu-" + r + "-lnet0", "pool vu-" + r + "-pool");
        // The bridge, its gateway veth, the upstream's namespace and link: all still there, and nothing deleted them.
        assertThat(host.linksAndNamespaces()).contains("vu" + r + "b0", "vu" + r + "b0g", "vu" + r + "u0", "vu" + r + "u0h");
        assertThat(host.networkCommands()).noneMatch(c -> c.contains(" del-br ") || c.startsWith("ip netns del")
                || c.startsWith("ip link del") || c.startsWith("nft delete") || c.contains("delete table"));
        // The run is kept for the time to live, counted from when it was kept.
        RunRecord record = RunRecord.all(stateDir).stream().filter(rec -> rec.run().equals(r)).findFirst().orElseThrow();
        assertThat(record.keptUntil()).hasValueSatisfying(until -> assertThat(until)
                .isBetween(before.plus(TTL), after.plus(TTL)));
        assertThat(record.isAbandoned()).isFalse();
        // One block for the class: how to reach the guest, what each network object is, until when.
        String block = log.substring(log.indexOf("virtunit kept what " + Topology.class.getName()));
        assertThat(block).contains("(cleanup on-success, and a test failed):",
                "guest " + router + ": ssh -i " + stateDir.resolve("pools/vu-" + r + "-pool/id_ed25519")
                        + " -o IdentitiesOnly=yes -o UserKnownHostsFile=" + stateDir.resolve("pools/vu-" + r + "-pool/"
                        + router + ".known_hosts") + " root@",
                "virsh -c test:///default console " + router,
                "OVS bridge vu" + r + "b0 ", "nft list table ip vu_" + r + "_b0",
                "upstream host vu" + r + "u0 at ", "ip netns exec vu" + r + "u0 ip -br addr",
                "libvirt network vu-" + r + "-lnet0 ", "virsh -c test:///default net-dumpxml vu-" + r + "-lnet0",
                "(virtunit.keep.ttl PT2H); a later run removes it after that, or now: scripts/check-leftovers --remove "
                        + "--prefix vu-" + r + "-; ");
        assertThat(stateDir.resolve("pools/vu-" + r + "-pool/" + router + ".known_hosts")).content()
                .startsWith(block.substring(block.indexOf(" root@") + 6, block.indexOf('\n', block.indexOf(" root@"))) + " ssh-ed25519 ");
    }

    @Test
    void aPassingClassLeavesNothing() {
        failing = false;

        EngineExecutionResults results = run(Topology.class, "on-success");

        results.testEvents().assertStatistics(stats -> stats.succeeded(2).failed(0));
        assertThat(host.libvirtObjects()).isEmpty();
        assertThat(host.linksAndNamespaces()).isEmpty();
        assertThat(host.networkCommands()).anyMatch(c -> c.contains(" del-br vu" + run() + "b0"));
        assertThat(RunRecord.all(stateDir)).isEmpty();
        assertThat(log).doesNotContain("virtunit kept");
    }

    @Test
    void alwaysRemovesEverythingEvenAfterAFailure() {
        EngineExecutionResults results = run(Topology.class, "always");

        results.testEvents().assertStatistics(stats -> stats.succeeded(1).failed(1));
        assertThat(host.libvirtObjects()).isEmpty();
        assertThat(host.linksAndNamespaces()).isEmpty();
        assertThat(RunRecord.all(stateDir)).isEmpty();
        assertThat(log).doesNotContain("virtunit kept");
    }

    @Test
    void neverKeepsEverythingEvenWhenAllPass() {
        failing = false;

        EngineExecutionResults results = run(Topology.class, "never");

        results.testEvents().assertStatistics(stats -> stats.succeeded(2).failed(0));
        String r = run();
        assertThat(host.domainState(guest("static"))).isEqualTo("RUNNING");
        assertThat(host.libvirtObjects()).contains("network vu-" + r + "-lnet0");
        assertThat(host.linksAndNamespaces()).contains("vu" + r + "b0", "vu" + r + "u0");
        assertThat(RunRecord.all(stateDir)).singleElement().satisfies(record -> assertThat(record.keptUntil()).isPresent());
        assertThat(log).contains("virtunit kept what " + Topology.class.getName() + " made, for inspection (cleanup never):");
    }

    // ---- a failure in a nested class, or in a callback ----

    @LibvirtTest
    static class Outer {
        @OvsBridge
        static Bridge lan;

        @LibvirtGuest(image = "${" + IMAGE_PROPERTY + "}", network = "lan", awaitSsh = false)
        static Guest outerGuest;

        @Test
        void passes() {
            seen.add("outer " + outerGuest.name());
        }

        @Nested
        class Failing {
            @Test
            void fails() {
                assertThat(failing).as("the failing nested test").isFalse();
            }
        }

        @Nested
        class PassingWithItsOwnGuest {
            @LibvirtGuest(image = "${" + IMAGE_PROPERTY + "}", network = "lan", awaitSsh = false)
            static Guest innerGuest;

            @Test
            void passes() {
                seen.add("inner " + innerGuest.name());
            }
        }
    }

    @Test
    void aFailedNestedClassKeepsTheOuterClassesStaticGuestsAndBridge() {
        EngineExecutionResults results = run(Outer.class, "on-success");

        results.testEvents().assertStatistics(stats -> stats.succeeded(2).failed(1));
        assertThat(host.domainState(guest("outer"))).isEqualTo("RUNNING");
        assertThat(host.linksAndNamespaces()).contains("vu" + run() + "b0");
        // The passing nested class's own guest went as usual.
        assertThat(domainExists(guest("inner"))).isFalse();
    }

    @LibvirtTest
    static class FailingAfterEach {
        @LibvirtGuest(image = "${" + IMAGE_PROPERTY + "}", awaitSsh = false)
        static Guest guest;

        @Test
        void passes() {
            seen.add("static " + guest.name());
        }

        @AfterEach
        void breaks() {
            assertThat(failing).as("the failing afterEach").isFalse();
        }
    }

    @Test
    void aFailureInACallbackKeepsTheClassesStaticGuests() {
        EngineExecutionResults results = run(FailingAfterEach.class, "on-success");

        results.testEvents().assertStatistics(stats -> stats.failed(1));
        assertThat(host.domainState(guest("static"))).isEqualTo("RUNNING");
    }

    // ---- instance and parameter guests ----

    @LibvirtTest
    static class PerTestGuests {
        @LibvirtGuest(image = "${" + IMAGE_PROPERTY + "}", awaitSsh = false)
        Guest own;

        @Test
        void passes(@LibvirtGuest(image = "${" + IMAGE_PROPERTY + "}", awaitSsh = false) Guest param) {
            seen.add("passing-instance " + own.name());
            seen.add("passing-param " + param.name());
        }

        @Test
        void fails(@LibvirtGuest(image = "${" + IMAGE_PROPERTY + "}", awaitSsh = false) Guest param) {
            seen.add("failing-instance " + own.name());
            seen.add("failing-param " + param.name());
            assertThat(failing).as("the failing test").isFalse();
        }

        @ParameterizedTest
        @ValueSource(ints = {1, 2})
        void parameterized(int n, @LibvirtGuest(image = "${" + IMAGE_PROPERTY + "}", awaitSsh = false) Guest param) {
            seen.add("invocation" + n + " " + param.name());
            assertThat(n == 2 && failing).as("the failing invocation").isFalse();
        }
    }

    @Test
    void guestsOfAFailedTestAreKeptAndThoseOfPassingTestsRemoved() {
        EngineExecutionResults results = run(PerTestGuests.class, "on-success");

        results.testEvents().assertStatistics(stats -> stats.succeeded(2).failed(2));
        assertThat(List.of(guest("failing-instance"), guest("failing-param"), guest("invocation2")))
                .allSatisfy(name -> assertThat(host.domainState(name)).isEqualTo("RUNNING"));
        assertThat(List.of(guest("passing-instance"), guest("passing-param"), guest("invocation1")))
                .allSatisfy(name -> assertThat(domainExists(name)).as(name).isFalse());
        // Reported in the class's one block, not one per test.
        assertThat(log.split("virtunit kept what ", -1)).hasSize(2);
        assertThat(log).contains("virtunit kept what " + PerTestGuests.class.getName() + " made", "guest " + guest("invocation2") + ": ssh ");
    }
}
