package dev.virtunit.it.remote;

import dev.virtunit.Bridge;
import dev.virtunit.BridgeSpec;
import dev.virtunit.Guest;
import dev.virtunit.GuestSpec;
import dev.virtunit.LabConfig;
import dev.virtunit.PoolHost;
import dev.virtunit.Upstream;
import dev.virtunit.assertions.Reachability;
import dev.virtunit.internal.host.CommandResult;
import dev.virtunit.internal.host.HostCommands;
import dev.virtunit.internal.lab.LabSession;
import dev.virtunit.internal.ssh.SshHostCommands;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static dev.virtunit.assertions.VirtunitAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A lab over a pool of two hosts, this machine ({@code local}, the home) and the second host
 * ({@code scripts/second-host up}): one guest on each host on one bridge that spans them (a bridge per host joined by
 * VXLAN), NAT and the upstream at home. The guests reach each other and the upstream as on one bridge, the far guest
 * appears to the upstream as the home's NAT address, TCP across the tunnel carries full segments, and nothing is left
 * on either host afterwards. Runs only with {@code -Dvirtunit.secondHost=/var/lib/virtunit-hosts/<NAME>}.
 */
class HostPoolIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private static SecondHost secondHost;
    private static SshHostCommands remote;
    private final HostCommands here = HostCommands.local();

    @TempDir
    Path stateDir;

    @BeforeAll
    static void connect() throws IOException {
        secondHost = SecondHost.named();
        remote = secondHost.commands();
    }

    @AfterAll
    static void disconnect() {
        if (remote != null) {
            remote.close();
        }
    }

    private LabConfig config() {
        return secondHost.poolConfig().withStateDir(stateDir);
    }

    private static GuestSpec tiny(String host, Bridge bridge) {
        return GuestSpec.builder().image("virtunit:tiny").host(host).nic(bridge).build();
    }

    @Test
    void oneGuestOnEachHostShareAnOvsBridgeWhoseNatAndUpstreamStayAtHome() {
        spanningBridge(BridgeSpec.ovs().withGateway(Bridge.Gateway.ON_VETH));
    }

    @Test
    void aLinuxBridgeSpansTheHostsTheSameWay() {
        spanningBridge(BridgeSpec.linux());
    }

    private void spanningBridge(BridgeSpec kind) {
        String far = secondHost.get("name");
        String farBridge;
        String homeTunnel;
        String nearName;
        String farName;
        try (LabSession lab = LabSession.start(config())) {
            Upstream internet = lab.upstream();
            Bridge lan = lab.bridge(kind.withNat(internet.uplinkInterface()));
            List<Guest> guests = lab.guests(List.of(tiny(PoolHost.LOCAL, lan), tiny(far, lan)));
            Guest near = guests.get(0);
            Guest away = guests.get(1);
            nearName = near.name();
            farName = away.name();

            assertThat(near.host()).isEqualTo(PoolHost.LOCAL);
            assertThat(away.host()).isEqualTo(far);
            assertThat(virsh("qemu:///system", "domstate", nearName).stdout()).contains("running");
            assertThat(virsh(secondHost.get("uri"), "domstate", farName).stdout()).contains("running");
            assertThat(virsh("qemu:///system", "domstate", farName).succeeded()).as("the far guest here").isFalse();
            // The far host continues the bridge: the far guest's NIC is on a bridge there, with a VXLAN port whose
            // far end is this machine.
            farBridge = virsh(secondHost.get("uri"), "domiflist", farName).stdout().lines()
                    .filter(line -> line.contains("bridge")).findFirst().orElseThrow().trim().split("\\s+")[2];
            assertThat(farBridge).isNotEqualTo(lan.name()).startsWith("vu");
            CommandResult tunnel = remote.run(TIMEOUT, List.of("ip", "-o", "-d", "link", "show", "dev", farBridge + "t0"));
            assertThat(tunnel.stdout()).contains("master " + farBridge).contains("vxlan id")
                    .contains("remote " + tunnelEndHere());
            homeTunnel = lan.name() + "t1";
            assertThat(here.run(TIMEOUT, List.of("ip", "-o", "-d", "link", "show", "dev", homeTunnel)).stdout())
                    .contains("vxlan id").contains("local " + tunnelEndHere());

            // Unchanged from one host: the matrix, and the upstream sees the home's NAT, not the far guest.
            Reachability.matrix().allow(near, away).allow(away, near).allow(near, internet).allow(away, internet)
                    .verify();
            assertThat(away).appearsToUpstreamAs(internet, internet.hostAddress());
            assertThat(lan.natTranslatedPackets()).isPositive();

            // Both guests' NICs leave VXLAN its 50 bytes, so that TCP across hosts is never fragmented.
            assertThat(near.ssh().exec("cat /sys/class/net/eth0/mtu")).succeeded().stdoutContains("1450");
            assertThat(away.ssh().exec("cat /sys/class/net/eth0/mtu")).succeeded().stdoutContains("1450");
            // 400 kB of TCP from the near guest to the far one, full 1410-byte segments through the tunnel.
            assertThat(near.ssh().exec("mkdir -p /tmp/www && head -c 400000 /dev/urandom > /tmp/www/blob && "
                    + "httpd -p 8080 -h /tmp/www && sha256sum /tmp/www/blob")).succeeded();
            String sent = near.ssh().exec("sha256sum /tmp/www/blob").stdout().split(" ")[0];
            assertThat(away.ssh().exec("wget -q -T 10 -O - http://" + near.address() + ":8080/blob | sha256sum"))
                    .succeeded().stdoutContains(sent);
        }

        assertThat(virsh(secondHost.get("uri"), "domstate", farName).succeeded()).as("far guest left").isFalse();
        assertThat(virsh("qemu:///system", "domstate", nearName).succeeded()).as("near guest left").isFalse();
        assertThat(remote.run(TIMEOUT, List.of("ip", "link", "show", "dev", farBridge)).succeeded())
                .as("bridge %s left on the second host", farBridge).isFalse();
        assertThat(remote.run(TIMEOUT, List.of("ip", "link", "show", "dev", farBridge + "t0")).succeeded())
                .as("tunnel left on the second host").isFalse();
        assertThat(here.run(TIMEOUT, List.of("ip", "link", "show", "dev", homeTunnel)).succeeded())
                .as("tunnel %s left here", homeTunnel).isFalse();
    }

    /** This machine's address toward the second host: the home end of every tunnel to it. */
    private String tunnelEndHere() {
        String route = here.check(TIMEOUT, List.of("ip", "-o", "route", "get", secondHost.get("address"))).stdout();
        return route.replaceAll("(?s).* src (\\S+).*", "$1");
    }

    private CommandResult virsh(String uri, String... args) {
        List<String> argv = new java.util.ArrayList<>(List.of("virsh", "-c", uri));
        argv.addAll(List.of(args));
        return here.run(TIMEOUT, argv);
    }
}
