package dev.virtunit.it.remote;

import dev.virtunit.Bridge;
import dev.virtunit.BridgeSpec;
import dev.virtunit.Guest;
import dev.virtunit.GuestSpec;
import dev.virtunit.LabConfig;
import dev.virtunit.PoolHost;
import dev.virtunit.Upstream;
import dev.virtunit.assertions.Reachability;
import dev.virtunit.observe.ExecResult;
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
import java.util.ArrayList;
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
    private static final Path DEBIAN = Path.of(System.getProperty("virtunit.debian12Image",
            "/var/cache/virtunit/images/debian-12.qcow2"));

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
        spanningBridge(BridgeSpec.ovs().withGateway(Bridge.Gateway.ON_VETH), true);
    }

    @Test
    void aLinuxBridgeSpansTheHostsTheSameWay() {
        spanningBridge(BridgeSpec.linux(), false);
    }

    /** With {@code withDebian}, a Debian 12 guest on the far host too: systemd, cloud-init, OpenSSH, iputils. */
    private void spanningBridge(BridgeSpec kind, boolean withDebian) {
        String far = secondHost.get("name");
        String farBridge;
        String homeTunnel;
        String nearName;
        String farName;
        try (LabSession lab = LabSession.start(config())) {
            Upstream internet = lab.upstream();
            Bridge lan = lab.bridge(kind.withNat(internet.uplinkInterface()));
            List<GuestSpec> specs = new ArrayList<>(List.of(tiny(PoolHost.LOCAL, lan), tiny(far, lan)));
            if (withDebian) {
                specs.add(GuestSpec.builder().image(DEBIAN).memoryMiB(512).vcpus(1).host(far).nic(lan)
                        .bootTimeout(Duration.ofSeconds(600)).build());
            }
            List<Guest> guests = lab.guests(specs);
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
            assertThat(tunnel.stdout()).contains("vxlan id").contains("remote " + tunnelEndHere());
            if (lan.kind() == Bridge.Kind.OVS) {
                assertThat(remote.run(TIMEOUT, List.of("ovs-vsctl", "port-to-br", farBridge + "t0")).stdout().strip())
                        .isEqualTo(farBridge);
            } else {
                assertThat(tunnel.stdout()).contains("master " + farBridge);
            }
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
            assertThat(near.ssh().exec("mkdir -p /tmp/www && dd if=/dev/urandom of=/tmp/www/blob bs=1000 count=400 "
                    + "2>/dev/null && busybox httpd -p 8080 -h /tmp/www")).succeeded();
            String sent = near.ssh().exec("md5sum /tmp/www/blob").stdout().split("\\s+")[0];
            assertThat(away.ssh().exec("wget -q -O - http://" + near.address() + ":8080/blob | md5sum"))
                    .succeeded().stdoutContains(sent);
            if (withDebian) {
                realImageAcross(guests.get(2), near, internet, sent);
            }
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

    /**
     * A Debian guest on the far host: its own MTU is 1450 (virtio-net's host MTU, no cloud-init setting), a "don't
     * fragment" ping filling it crosses the tunnel and one of 1500 bytes is refused in the guest, the blob comes
     * over HTTP intact (python3's urllib), and it too appears upstream as the home's NAT address.
     */
    private static void realImageAcross(Guest debian, Guest near, Upstream internet, String blobDigest) {
        assertThat(debian.host()).isEqualTo(secondHost.get("name"));
        assertThat(debian.ssh().exec("cat /sys/class/net/eth0/mtu")).succeeded().hasStdout("1450");
        assertThat(debian.ssh().exec("ping -M do -c 2 -W 5 -s 1422 " + near.address())).succeeded();
        ExecResult tooBig = debian.ssh().exec("ping -M do -c 1 -W 5 -s 1472 " + near.address());
        assertThat(tooBig.succeeded()).as("a DF ping of 1500 bytes").isFalse();
        assertThat(tooBig.stdout() + tooBig.stderr()).contains("message too long").contains("mtu=1450");
        assertThat(debian.ssh().exec("python3 -c \"import hashlib, urllib.request; print(hashlib.md5(urllib.request"
                + ".urlopen('http://" + near.address() + ":8080/blob', timeout=30).read()).hexdigest())\""))
                .succeeded().stdoutContains(blobDigest);
        assertThat(debian).appearsToUpstreamAs(internet, internet.hostAddress());
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
