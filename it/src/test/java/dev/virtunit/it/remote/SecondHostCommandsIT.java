package dev.virtunit.it.remote;

import dev.virtunit.internal.host.CommandResult;
import dev.virtunit.internal.host.HostProcess;
import dev.virtunit.internal.host.ProcessOutput;
import dev.virtunit.internal.lab.Teardown;
import dev.virtunit.internal.net.HostNetworking;
import dev.virtunit.internal.net.IpForwarding;
import dev.virtunit.internal.net.Sysctls;
import dev.virtunit.internal.ssh.SshHostCommands;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link SshHostCommands} and {@link HostNetworking} on the second host {@code scripts/second-host up} makes on this
 * machine: links, Open vSwitch bridges, namespaces and nftables tables made through SSH exist there and not here,
 * and go away there when removed. Runs only when the second host is up and named by
 * {@code -Dvirtunit.secondHost=/var/lib/virtunit-hosts/<NAME>} (or {@code VIRTUNIT_SECOND_HOST}), which
 * {@code scripts/second-host status} prints.
 */
class SecondHostCommandsIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private static SecondHost secondHost;
    private static SshHostCommands remote;
    private static HostNetworking there;
    private final HostNetworking here = HostNetworking.local();
    private final Teardown teardown = new Teardown();
    /** This test's names: vu + 6 hex, like a run's, so that they are recognisably virtunit's on either host. */
    private final String run = HexFormat.of().formatHex(new SecureRandom().generateSeed(3));

    @BeforeAll
    static void connect() throws IOException {
        secondHost = SecondHost.named();
        remote = secondHost.commands();
        // Forwarding holders are counted in a folder of this JVM's; the second host's forwarding is not used here.
        there = new HostNetworking(remote, new IpForwarding(new Sysctls(remote)));
    }

    @AfterEach
    void removeWhatTheTestMade() {
        teardown.run();
    }

    @AfterAll
    static void disconnect() {
        if (remote != null) {
            remote.close();
        }
    }

    @Test
    void commandsRunOnTheSecondHost() {
        CommandResult hostname = remote.check(TIMEOUT, List.of("hostname"));
        CommandResult addresses = remote.check(TIMEOUT, List.of("ip", "-o", "-4", "address", "show", "dev", "eth0"));

        assertThat(hostname.stdout().strip()).isEqualTo(secondHost.get("netns"));
        assertThat(addresses.stdout()).contains("inet " + secondHost.get("address") + "/24");
        assertThat(here.commands().check(TIMEOUT, List.of("ip", "-o", "-4", "address", "show")).stdout())
                .doesNotContain("inet " + secondHost.get("address") + "/");
    }

    @Test
    void anOvsBridgeWithAVethPortIsMadeAndRemovedThereOnly() {
        String bridge = "vu" + run + "rb";
        String port = "vu" + run + "ra";
        String peer = "vu" + run + "rp";

        teardown.register("delete OVS bridge " + bridge + " on the second host", () -> there.ovs().deleteBridge(bridge));
        there.ovs().addBridge(bridge, Map.of("virtunit-run", run));
        teardown.register("delete veth " + port + " on the second host", () -> {
            if (there.links().linkExists(port)) {
                there.links().deleteLink(port);
            }
        });
        there.links().addVethPair(port, peer);
        there.ovs().addPort(bridge, port);

        assertThat(there.ovs().bridges()).contains(bridge);
        assertThat(there.ovs().ports(bridge)).containsExactly(port);
        assertThat(there.ovs().externalIds(bridge)).containsEntry("virtunit-run", run);
        assertThat(there.links().links()).contains(port, peer);
        assertThat(here.ovs().bridgeExists(bridge)).as("the main host's Open vSwitch").isFalse();
        assertThat(here.links().linkExists(port)).as("the main host's links").isFalse();
        assertThat(here.links().linkExists(peer)).isFalse();

        there.ovs().deleteBridge(bridge);
        there.links().deleteLink(port);

        assertThat(there.ovs().bridgeExists(bridge)).isFalse();
        assertThat(there.links().linkExists(port)).isFalse();
        assertThat(there.links().linkExists(peer)).as("a veth's peer goes with it").isFalse();
    }

    @Test
    void anNftablesTableIsMadeAndRemovedThereOnly() {
        String table = "vu_" + run + "_r0";

        teardown.register("delete nft table ip " + table + " on the second host", () -> there.nftables().deleteTable(table));
        remote.check(TIMEOUT, List.of("nft", "add", "table", "ip", table));

        assertThat(there.nftables().tableExists(table)).isTrue();
        assertThat(here.nftables().tableExists(table)).as("the main host's nftables").isFalse();

        there.nftables().deleteTable(table);

        assertThat(there.nftables().tableExists(table)).isFalse();
    }

    @Test
    void aNamespaceAndAProgramInItAreThereOnly() throws Exception {
        String namespace = "vu" + run + "rn";

        teardown.register("delete namespace " + namespace + " on the second host",
                () -> there.namespaces().deleteNamespace(namespace));
        there.namespaces().addNamespace(namespace);
        HostProcess process = there.namespaces().startIn(namespace, List.of("sh", "-c", "echo inside; exec cat"));
        teardown.register("kill `cat` in " + namespace, process::kill);
        CompletableFuture<String> stdout = ProcessOutput.readAll(process.stdout());

        assertThat(there.namespaces().namespaces()).contains(namespace);
        assertThat(there.namespaces().pidsIn(namespace)).contains(process.pid());
        assertThat(here.namespaces().namespaceExists(namespace)).as("the main host's namespaces").isFalse();

        process.closeInput();

        assertThat(process.waitFor(TIMEOUT)).isTrue();
        assertThat(stdout.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("inside\n");
        there.namespaces().deleteNamespace(namespace);
        assertThat(there.namespaces().namespaceExists(namespace)).isFalse();
    }
}
