package dev.virtunit.junit;

import dev.virtunit.Bridge;
import dev.virtunit.Guest;
import dev.virtunit.Network;
import dev.virtunit.Upstream;
import dev.virtunit.internal.lab.FakeLabHost;
import dev.virtunit.internal.lab.LabSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.platform.engine.OutputDirectoryCreator;
import org.junit.platform.engine.TestDescriptor;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * Failure reports through real JUnit on a lab of fakes ({@link FakeLabHost}): a failing test gets a folder with what
 * its guests, bridge, libvirt network and upstream looked like before teardown, and an index of it; a passing test
 * gets none unless {@code virtunit.report=always}; {@code never} writes none.
 */
class FailureReportTest {

    private static final String IMAGE_PROPERTY = "virtunit.report-test.image";
    private static final String CONNTRACK_LINE = "icmp     1 29 src=192.168.77.10 dst=192.168.231.2 type=8 code=0 id=1822 "
            + "src=192.168.231.2 dst=192.168.231.1 type=0 code=0 id=1822 mark=0 use=1\n";

    @TempDir
    static Path scratch;

    static volatile boolean failing;

    private final Path stateDir = scratch.resolve("state-" + System.nanoTime());
    private final Path reports = scratch.resolve("reports-" + System.nanoTime());
    /** Where the JUnit Platform copies published files. */
    private final Path platformOutput = scratch.resolve("platform-" + System.nanoTime());
    private final FakeLabHost host = new FakeLabHost()
            .answerReads("conntrack -L -f ipv4 -s ", CONNTRACK_LINE)
            .answerReads("ovs-vsctl show", "    Bridge vu000000b0\n        datapath_type: netdev\n")
            .answerReads("ovs-ofctl dump-flows ", " cookie=0x0, duration=3.1s, n_packets=7, priority=0 actions=NORMAL\n")
            .answerReads("nft list table ip ", "table ip t {\n\tcounter translated {\n\t\tpackets 3 bytes 252\n\t}\n}\n")
            .answerReads("virsh -c test:///default net-dhcp-leases ", " Expiry Time   MAC address   Protocol\n");
    private LabSession lab;

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

    private EngineExecutionResults run(Class<?> testCase, String mode) {
        return EngineTestKit.engine("junit-jupiter")
                .configurationParameters(Map.of("virtunit.libvirt.uri", "test:///default",
                        "virtunit.state.dir", stateDir.toString(),
                        "virtunit.cache.dir", stateDir.resolve("cache").toString(),
                        "virtunit.report", mode, "virtunit.report.dir", reports.toString()))
                .outputDirectoryCreator(new OutputDirectoryCreator() {
                    @Override
                    public Path getRootDirectory() {
                        return platformOutput;
                    }

                    @Override
                    public Path createOutputDirectory(TestDescriptor test) throws IOException {
                        return Files.createDirectories(platformOutput.resolve(
                                test.getUniqueId().toString().replaceAll("[^A-Za-z0-9.-]+", "_")));
                    }
                })
                .selectors(selectClass(testCase))
                .execute();
    }

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
        }

        @Test
        void failsWhenTold() {
            assertThat(failing).as("the failing test").isFalse();
        }

        @ParameterizedTest
        @ValueSource(ints = {1, 2})
        void eachInvocation(int n, @LibvirtGuest(image = "${" + IMAGE_PROPERTY + "}", awaitSsh = false) Guest own) {
            assertThat(n == 2 && failing).as("the second invocation").isFalse();
        }
    }

    private Path folder(String method) {
        return reports.resolve(Topology.class.getName()).resolve(method);
    }

    @Test
    void aFailingTestGetsAFolderWithEveryGuestBridgeNetworkAndUpstreamItUsed() throws IOException {
        EngineExecutionResults results = run(Topology.class, "on-failure");

        results.testEvents().assertStatistics(stats -> stats.succeeded(2).failed(2));
        Path dir = folder("failsWhenTold");
        String r = lab.runId();
        String guest = "vu-" + r + "-router";
        String bridge = "vu" + r + "b0";
        assertThat(listing(dir)).contains("index.md", "guests/" + guest + "/console.log", "guests/" + guest + "/domain.xml",
                "bridges/" + bridge + "/ovs-vsctl-show.txt", "bridges/" + bridge + "/ovs-ofctl-dump-flows.txt",
                "bridges/" + bridge + "/ovs-ofctl-dump-ports.txt", "bridges/" + bridge + "/gateway.txt",
                "bridges/" + bridge + "/nft-vu_" + r + "_b0.txt", "bridges/" + bridge + "/conntrack.txt",
                "networks/vu-" + r + "-lnet0/network.xml", "networks/vu-" + r + "-lnet0/dhcp-leases.txt",
                "upstreams/vu" + r + "u0/peers.txt", "upstreams/vu" + r + "u0/ip.txt");
        assertThat(dir.resolve("guests/" + guest + "/domain.xml")).content().contains("<name>" + guest + "</name>");
        assertThat(dir.resolve("bridges/" + bridge + "/nft-vu_" + r + "_b0.txt")).content()
                .startsWith("$ nft list table ip vu_" + r + "_b0\n").contains("packets 3 bytes 252");
        assertThat(dir.resolve("bridges/" + bridge + "/conntrack.txt")).content()
                .contains("$ conntrack -L -f ipv4 -s 192.168.", CONNTRACK_LINE);
        assertThat(dir.resolve("bridges/" + bridge + "/ovs-ofctl-dump-flows.txt")).content().contains("actions=NORMAL");
        assertThat(dir.resolve("upstreams/vu" + r + "u0/peers.txt")).content()
                .contains("(no client reached the echo service)");
        // Not awaited over SSH (no fake guest answers it): no login is tried, and the index says why.
        String index = Files.readString(dir.resolve("index.md"));
        assertThat(index).startsWith("# virtunit report: " + Topology.class.getName() + " failsWhenTold()\n")
                .contains("The test failed: org.opentest4j.AssertionFailedError: [the failing test]",
                        "- `guests/" + guest + "/console.log`: serial console of guest " + guest,
                        "- `bridges/" + bridge + "/conntrack.txt`: connections the host tracks",
                        "## Not written", "- `guests/" + guest + "/ip-addr.txt`: skipped: guest " + guest + " is declared with awaitSsh = "
                                + "false: virtunit does not log in to it");
        // Attached to JUnit's report as one directory, with the same files.
        assertThat(results.allEvents().stream().filter(e -> e.getType().name().equals("FILE_ENTRY_PUBLISHED")))
                .hasSize(2);
        try (Stream<Path> published = Files.walk(platformOutput)) {
            assertThat(published.map(Path::toString)).anyMatch(p -> p.contains("failsWhenTold")
                    && p.endsWith("virtunit-report/bridges/" + bridge + "/conntrack.txt"));
        }
        // Written before teardown: the bridge was still there, and it was removed only after.
        assertThat(host.networkCommands()).containsSubsequence("ovs-vsctl show", "ovs-vsctl --timeout=10 --if-exists del-br " + bridge);
        // The passing test has none; of the parameterized test, only the failing invocation, with its own guest.
        assertThat(folder("passes")).doesNotExist();
        assertThat(folder("eachInvocation-1")).doesNotExist();
        assertThat(listing(folder("eachInvocation-2"))).anyMatch(f -> f.matches("guests/vu-" + r + "-(own|eachinvocation)\\S*/domain.xml"))
                .contains("guests/" + guest + "/domain.xml");
    }

    @Test
    void alwaysWritesAReportForPassingTestsToo() throws IOException {
        failing = false;

        run(Topology.class, "always").testEvents().assertStatistics(stats -> stats.succeeded(4));

        assertThat(folder("passes").resolve("index.md")).content().contains("The test passed (virtunit.report=always).");
    }

    @Test
    void neverWritesNoneEvenForAFailure() {
        run(Topology.class, "never").testEvents().assertStatistics(stats -> stats.failed(2));

        assertThat(reports).doesNotExist();
    }

    private static java.util.List<String> listing(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).map(f -> dir.relativize(f).toString()).sorted().toList();
        }
    }
}
