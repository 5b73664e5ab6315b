package dev.virtunit.it.remote;

import dev.virtunit.Acceleration;
import dev.virtunit.Bridge;
import dev.virtunit.BridgeSpec;
import dev.virtunit.Cidr;
import dev.virtunit.Guest;
import dev.virtunit.GuestSpec;
import dev.virtunit.LabConfig;
import dev.virtunit.Upstream;
import dev.virtunit.internal.host.CommandResult;
import dev.virtunit.internal.host.HostCommands;
import dev.virtunit.internal.lab.LabBridge;
import dev.virtunit.internal.lab.LabSession;
import dev.virtunit.internal.lab.Names;
import dev.virtunit.internal.lab.SpanningBridges;
import dev.virtunit.internal.lab.Teardown;
import dev.virtunit.internal.net.IpLinks;
import dev.virtunit.internal.net.IpRoutes;
import dev.virtunit.internal.net.TunnelIdTakenException;
import dev.virtunit.internal.net.UnderlayRoute;
import dev.virtunit.internal.ssh.SshHostCommands;
import dev.virtunit.observe.ExecResult;
import dev.virtunit.observe.PingResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import static dev.virtunit.assertions.VirtunitAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A bridge that spans two hosts, made by hand from the pieces a lab of several hosts puts together (#12, item 3):
 * a lab on this machine ("home") with a bridge, NAT toward an upstream host and the link MTU 1450, a lab on the
 * second host ({@code scripts/second-host up}) with the link MTU 1450 and an extension of that bridge, joined by one
 * VXLAN tunnel whose ends and underlays the hosts' routes give. A tiny guest on each side: they ping each other,
 * their NICs have the MTU 1450 without anything configured inside them, a transfer of many TCP segments crosses the
 * tunnel, and the far guest reaches the upstream through home's NAT. For an Open vSwitch bridge a Debian guest also
 * proves the MTU with "don't fragment" pings: a 1450-byte packet crosses, a 1500-byte one is refused in the guest.
 * Nothing of either lab is left on either host after close. Runs only with
 * {@code -Dvirtunit.secondHost=/var/lib/virtunit-hosts/<NAME>}.
 */
class SpanningBridgeIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final int SPANNING_MTU = 1500 - IpLinks.VXLAN_OVERHEAD;
    /** ICMP and IPv4 headers: a ping of {@code size} bytes of data is a packet of {@code size + 28}. */
    private static final int PING_HEADERS = 28;
    /** Host part of the extension's device address on home's subnet: far above the .10 upward guests get. */
    private static final int MEMBER_HOST_PART = 250;
    private static final int BLOB_KIB = 200;
    private static final Path DEBIAN = Path.of(System.getProperty("virtunit.debian12Image",
            "/var/cache/virtunit/images/debian-12.qcow2"));

    private static SecondHost secondHost;
    private static SshHostCommands remote;
    private final HostCommands here = HostCommands.local();
    private final SecureRandom random = new SecureRandom();

    @TempDir
    Path homeState;
    @TempDir
    Path memberState;

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

    @Test
    void anOpenVSwitchBridgeSpansTwoHosts() {
        span(BridgeSpec.ovs().withGateway(Bridge.Gateway.ON_VETH), true);
    }

    @Test
    void aLinuxBridgeSpansTwoHosts() {
        span(BridgeSpec.linux().withGateway(Bridge.Gateway.ON_BRIDGE), false);
    }

    private void span(BridgeSpec kind, boolean withDebian) {
        List<String> runs = new ArrayList<>();
        try (LabSession home = LabSession.start(LabConfig.fromEnvironment().withStateDir(homeState)
                .withAcceleration(Acceleration.TCG));
             LabSession member = LabSession.start(secondHost.labConfig().withStateDir(memberState))) {
            runs.add(home.runId());
            runs.add(member.runId());
            SpanningBridges.linkMtu(home, SPANNING_MTU);
            SpanningBridges.linkMtu(member, SPANNING_MTU);
            Upstream internet = home.upstream();
            LabBridge lan = (LabBridge) home.bridge(kind.withNat(internet.uplinkInterface()));
            Cidr subnet = Cidr.parse(lan.cidr());
            LabBridge extension = SpanningBridges.extension(member, lan,
                    Cidr.format(subnet.address() + MEMBER_HOST_PART) + "/" + subnet.prefixLength());
            int vni = join(lan, extension);

            assertThat(extension.gateway()).isEqualTo(lan.gateway());
            assertThat(extension.kind()).isEqualTo(lan.kind());
            assertThat(extension.mtu()).isEqualTo(SPANNING_MTU);
            assertThat(linkMtu(here, lan.name())).as("home bridge's device").isEqualTo(SPANNING_MTU);
            assertThat(linkMtu(remote, extension.name())).as("extension's device").isEqualTo(SPANNING_MTU);
            assertThat(linkMtu(here, Names.tunnelLink(lan.name(), 0))).as("home's tunnel").isEqualTo(SPANNING_MTU);

            GuestSpec tiny = GuestSpec.builder().image("virtunit:tiny").nic(lan).build();
            CompletableFuture<Guest> farBoot = CompletableFuture.supplyAsync(() -> member.guest(
                    GuestSpec.builder().image("virtunit:tiny").nic(extension).build()));
            CompletableFuture<Optional<Guest>> debianBoot = CompletableFuture.supplyAsync(() -> withDebian
                    ? Optional.of(home.guest(GuestSpec.builder().image(DEBIAN).memoryMiB(512).vcpus(1).nic(lan)
                    .bootTimeout(Duration.ofSeconds(600)).build())) : Optional.empty());
            Guest near = home.guest(tiny);
            Guest far = farBoot.join();
            System.out.printf(Locale.ROOT, "SPAN %s: VXLAN id %d; near %s on %s, far %s on %s of %s%n", lan.kind(), vni,
                    near.address(), lan.name(), far.address(), extension.name(), secondHost.get("address"));

            for (Guest guest : List.of(near, far)) {
                assertThat(guest.ssh().exec("cat /sys/class/net/eth0/mtu")).as("MTU in guest %s", guest.name())
                        .succeeded().hasStdout(Integer.toString(SPANNING_MTU));
                assertThat(guest.ssh().exec("ip link show dev eth0").stdout()).contains("mtu " + SPANNING_MTU);
            }
            PingResult across = near.ping(far.address(), 5);
            assertThat(across).as("near to far across the tunnel").isReachable();
            assertThat(far.ping(near.address())).as("far to near across the tunnel").isReachable();
            // A packet of exactly the MTU: busybox ping cannot forbid fragments, but at 1450 bytes there is none.
            assertThat(near.ssh().exec("ping -c 2 -W 5 -s " + (SPANNING_MTU - PING_HEADERS) + " " + far.address()))
                    .as("a ping of %d bytes across", SPANNING_MTU).succeeded();

            assertThat(far).as("far guest through home's NAT").canReach(internet)
                    .appearsToUpstreamAs(internet, internet.hostAddress());

            // Many full TCP segments across the tunnel: lost without a word if the MSS did not fit the tunnel.
            assertThat(far.ssh().exec("dd if=/dev/urandom of=/tmp/blob bs=1024 count=" + BLOB_KIB
                    + " 2>/dev/null && busybox httpd -p 8080 -h /tmp")).succeeded();
            String sent = far.ssh().exec("md5sum /tmp/blob").stdout().split("\\s+")[0];
            ExecResult fetched = near.ssh().exec("wget -q -O - http://" + far.address() + ":8080/blob | md5sum",
                    Duration.ofSeconds(60));
            assertThat(fetched).succeeded();
            assertThat(fetched.stdout().split("\\s+")[0]).as("the blob's digest after crossing").isEqualTo(sent);
            System.out.printf(Locale.ROOT, "SPAN %s: ping near->far rtt min/avg %.2f/%.2f ms; %d KiB over HTTP "
                            + "far->near in %d ms (the SSH exec around it included)%n", lan.kind(),
                    across.rttMinMs().orElse(-1), across.rttAvgMs().orElse(-1), BLOB_KIB, fetched.duration().toMillis());

            Optional<Guest> debian = debianBoot.join();
            debian.ifPresent(guest -> dontFragment(guest, far));
        }
        assertThat(leftovers(here, runs)).as("left on this machine").isEmpty();
        assertThat(leftovers(remote, runs)).as("left on the second host").isEmpty();
        assertThat(libvirtLeftovers("qemu:///system", runs)).as("domains and pools left on this machine").isEmpty();
        assertThat(libvirtLeftovers(secondHost.get("uri"), runs)).as("domains and pools left on the second host")
                .isEmpty();
    }

    /**
     * The tunnel both ways, each end and its underlay from its host's route toward the other; a tunnel id taken on
     * either host is drawn again (the end made already removed first).
     */
    private int join(LabBridge home, LabBridge extension) {
        String memberAddress = secondHost.get("address");
        UnderlayRoute homeSide = new IpRoutes(here).routeTo(memberAddress);
        UnderlayRoute memberSide = new IpRoutes(remote).routeTo(homeSide.source());
        assertThat(memberSide.source()).isEqualTo(memberAddress);
        for (int attempt = 0; ; attempt++) {
            int vni = 1 + random.nextInt(0xFFFFFE);
            Teardown homeEnd = null;
            try {
                homeEnd = home.addTunnel(Names.tunnelLink(home.name(), 0), vni, homeSide.source(), memberAddress,
                        homeSide.device());
                extension.addTunnel(Names.tunnelLink(extension.name(), 0), vni, memberSide.source(),
                        homeSide.source(), memberSide.device());
                return vni;
            } catch (TunnelIdTakenException taken) {
                if (homeEnd != null) {
                    homeEnd.run();
                }
                if (attempt == 3) {
                    throw taken;
                }
            }
        }
    }

    /** iputils' ping in a Debian guest, with "don't fragment": the guest's own MTU decides, not the tunnel. */
    private static void dontFragment(Guest debian, Guest far) {
        assertThat(debian.ssh().exec("cat /sys/class/net/eth0/mtu")).as("MTU in the Debian guest").succeeded()
                .hasStdout(Integer.toString(SPANNING_MTU));
        assertThat(debian.ssh().exec("ping -M do -c 2 -W 5 -s " + (SPANNING_MTU - PING_HEADERS) + " " + far.address()))
                .as("a DF ping filling the MTU, across the tunnel").succeeded();
        ExecResult tooBig = debian.ssh().exec("ping -M do -c 1 -W 5 -s " + (1500 - PING_HEADERS) + " " + far.address());
        assertThat(tooBig.succeeded()).as("a DF ping of 1500 bytes").isFalse();
        assertThat(tooBig.stdout() + tooBig.stderr()).contains("message too long").contains("mtu=" + SPANNING_MTU);
    }

    private static int linkMtu(HostCommands host, String link) {
        String line = host.check(TIMEOUT, List.of("ip", "-o", "link", "show", "dev", link)).stdout();
        List<String> words = Arrays.asList(line.split("\\s+"));
        return Integer.parseInt(words.get(words.indexOf("mtu") + 1));
    }

    /** Every host object whose name carries one of the runs' ids, by kind; the listings the soak test uses. */
    private static List<String> leftovers(HostCommands host, List<String> runs) {
        List<String> found = new ArrayList<>();
        List<List<String>> listings = List.of(List.of("ovs-vsctl", "list-br"), List.of("ip", "-o", "link", "show"),
                List.of("ip", "netns", "list"), List.of("nft", "list", "tables"));
        for (List<String> listing : listings) {
            String out = host.check(TIMEOUT, listing).stdout();
            for (String run : runs) {
                Arrays.stream(out.split("\n")).filter(line -> line.contains("vu" + run) || line.contains("vu_" + run + "_"))
                        .forEach(line -> found.add(String.join(" ", listing) + ": " + line.strip()));
            }
        }
        return found;
    }

    /** The runs' domains and storage pools ({@code vu-<run>-...}) that libvirt at {@code uri} still lists. */
    private static List<String> libvirtLeftovers(String uri, List<String> runs) {
        List<String> found = new ArrayList<>();
        for (String listing : List.of("list", "pool-list")) {
            CommandResult list = HostCommands.local().check(TIMEOUT, List.of("virsh", "-c", uri, listing, "--all",
                    "--name"));
            Arrays.stream(list.stdout().split("\n")).filter(name -> runs.stream().anyMatch(run ->
                    name.contains("vu-" + run + "-"))).forEach(name -> found.add(listing + ": " + name));
        }
        return found;
    }
}
