package dev.virtunit.internal.lab;

import dev.virtunit.Acceleration;
import dev.virtunit.Bridge;
import dev.virtunit.BridgeSpec;
import dev.virtunit.CleanupMode;
import dev.virtunit.GuestSpec;
import dev.virtunit.GuestSpecBuilder;
import dev.virtunit.HostLogin;
import dev.virtunit.InvalidDeclarationException;
import dev.virtunit.LabConfig;
import dev.virtunit.Network;
import dev.virtunit.NetworkSpec;
import dev.virtunit.PoolHost;
import dev.virtunit.internal.host.HostCommands;
import dev.virtunit.internal.host.HostFiles;
import dev.virtunit.internal.host.RecordingHostCommands;
import dev.virtunit.internal.net.HostNetworking;
import dev.virtunit.internal.net.IpForwarding;
import dev.virtunit.internal.net.JavaLauncher;
import dev.virtunit.internal.net.Sysctls;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * A lab over two hosts on fakes: this machine ({@code local}) and a remote {@code kvm1} at 10.9.8.7. Guests are placed
 * by the rule and wait for room; a home bridge is continued on kvm1 by a bridge joined with a VXLAN tunnel whose ends
 * come from each host's route toward the other; the other host closes first.
 */
class HostPoolTest {

    private static final String KVM1_URI = "qemu+tcp://10.9.8.7/system";
    private static final java.util.Set<String> PROVISIONING = java.util.Set.of("qemu-img", "genisoimage");

    @TempDir
    Path stateDir;
    @TempDir
    Path images;

    private final FakeHypervisor localLibvirt = new FakeHypervisor();
    private final FakeHypervisor kvm1Libvirt = new FakeHypervisor();
    private final RecordingHostCommands local = new RecordingHostCommands();
    private final RecordingHostCommands kvm1 = new RecordingHostCommands();
    private Path image;
    private LabSession lab;

    @BeforeEach
    void setUp() {
        image = FakeLab.blankImage(images, "tiny.qcow2");
        // Each host's route toward the other, and its underlay's MTU.
        local.answer(List.of("ip", "-o", "route", "get", "10.9.8.7"), "10.9.8.7 dev eth9 src 10.9.8.1 uid 0 \\    cache\n");
        local.answer(List.of("ip", "-o", "link", "show", "dev", "eth9"), "2: eth9: <UP> mtu 1500 qdisc noqueue\n");
        kvm1.answer(List.of("ip", "-o", "route", "get", "10.9.8.1"), "10.9.8.1 dev ens3 src 10.9.8.7 uid 0 \\    cache\n");
        kvm1.answer(List.of("ip", "-o", "link", "show", "dev", "ens3"), "2: ens3: <UP> mtu 1500 qdisc noqueue\n");
        // kvm1's files go through its commands: a console that says nothing yet, and flock holding its lock at once.
        kvm1.answer(List.of("stat"), "0\n");
        kvm1.startedExits(List.of("tail"), 0, "", "", true);
        kvm1.startedPrints(List.of("stdbuf"), "flock: getting lock took 0.000001 seconds\nflock: executing timeout\n");
    }

    @AfterEach
    void tearDown() {
        if (lab != null) {
            lab.close();
        }
    }

    private LabSession start(int maxGuests) {
        return start(maxGuests, CleanupMode.ALWAYS);
    }

    private LabSession start(int maxGuests, CleanupMode cleanup) {
        lab = HostPool.start(config(maxGuests, cleanup, Duration.ofSeconds(20)), this::startOn);
        return lab;
    }

    private LabConfig config(int maxGuests, CleanupMode cleanup, Duration bootTimeout) {
        return LabConfig.fromEnvironment().withStateDir(stateDir).withCacheDir(stateDir.resolve("cache"))
                .withAcceleration(Acceleration.TCG).withCleanup(cleanup).withFirstBootCache(false)
                .withBootTimeout(bootTimeout)
                .withHosts(List.of(PoolHost.local().withMaxGuests(maxGuests),
                        new PoolHost("kvm1", KVM1_URI, HostLogin.DEFAULT, maxGuests)));
    }

    private LabSession startOn(LabConfig config) {
        LabSession started;
        if (config.libvirtUri().equals(KVM1_URI)) {
            HostNetworking networking = new HostNetworking(kvm1, new IpForwarding(new Sysctls(kvm1)),
                    JavaLauncher.local(), HostFiles.over(kvm1, "root@10.9.8.7:22"));
            started = LabSession.start(config, uri -> kvm1Libvirt,
                    LabHost.remote(networking, HostCommands.local(), "root@10.9.8.7:22", () -> { }));
        } else {
            // The networking programs are recorded; qemu-img and genisoimage make the guest's disk and seed for real.
            HostCommands commands = (timeout, argv) -> PROVISIONING.contains(argv.get(0))
                    ? HostCommands.local().run(timeout, argv) : local.run(timeout, argv);
            started = LabSession.start(config, uri -> localLibvirt,
                    new HostNetworking(commands, new IpForwarding(new Sysctls(commands))));
        }
        started.readiness(FakeLab::readyWithoutNetwork);
        return started;
    }

    private GuestSpecBuilder guest() {
        return GuestSpec.builder().image(image).awaitSsh(false).readyWhen("never printed");
    }

    @Test
    void guestsGoToTheHostWithMoreRoomAndWaitWhenEveryHostIsFull() {
        start(1);
        Bridge bridge = lab.bridge(BridgeSpec.linux());

        LabGuest first = lab.create(guest().nic(bridge).build(), "a");
        LabGuest second = lab.create(guest().nic(bridge).build(), "b");
        CompletableFuture<LabGuest> third = CompletableFuture.supplyAsync(() -> lab.create(guest().nic(bridge).build(),
                "c"));

        assertThat(first.host()).as("a tie goes to the first listed").isEqualTo("local");
        assertThat(second.host()).as("then to the host with fewer guests").isEqualTo("kvm1");
        assertThat(kvm1Libvirt.domainExists(second.name())).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> lab.labGuests().pool().orElseThrow().waitingGuests() == 1);
        assertThat(third).as("both hosts are at their limit of 1").isNotDone();

        lab.remove(first);

        LabGuest placedLater = third.join();
        assertThat(placedLater.host()).isEqualTo("local");
        assertThat(lab.guests()).extracting(LabGuest::name).containsExactly(placedLater.name(), second.name());
    }

    @Test
    void guestsOnSegmentsThatDoNotSpanStayAtHomeUnlessTheyDeclareAHost() {
        start(PoolHost.NO_LIMIT);
        Network network = lab.network(NetworkSpec.isolated());

        LabGuest first = lab.create(guest().build(), "a");
        LabGuest second = lab.create(guest().build(), "b");
        LabGuest onNetwork = lab.create(guest().nic(network).build(), "c");
        LabGuest declared = lab.create(guest().host("kvm1").build(), "d");

        assertThat(List.of(first.host(), second.host(), onNetwork.host())).as("default network, libvirt network")
                .containsOnly("local");
        assertThat(declared.host()).isEqualTo("kvm1");
    }

    @Test
    void aGuestThatFindsNoRoomInTimeFailsNamingEveryHostsLoad() {
        lab = HostPool.start(config(1, CleanupMode.ALWAYS, Duration.ofMillis(300)), this::startOn);
        Bridge bridge = lab.bridge(BridgeSpec.linux());
        lab.create(guest().nic(bridge).build(), "a");
        lab.create(guest().nic(bridge).build(), "b");

        assertThatThrownBy(() -> lab.create(guest().nic(bridge).build(), "c"))
                .isInstanceOf(dev.virtunit.VirtunitException.class)
                .hasMessageContaining("waited 1 s for room on the pool and none came free (local: 1 guest")
                .hasMessageContaining("kvm1: 1 guest")
                .hasMessageContaining("raise virtunit.hosts.maxGuests or virtunit.host.<name>.maxGuests");
        assertThat(lab.labGuests().pool().orElseThrow().waitingGuests()).isZero();
        assertThat(lab.guests()).hasSize(2);
    }

    @Test
    void aPoolHostThatCannotBeUsedFailsTheStartNamingItAndClosesTheHostsStarted() {
        java.util.List<LabSession> started = new java.util.ArrayList<>();

        assertThatThrownBy(() -> HostPool.start(config(PoolHost.NO_LIMIT, CleanupMode.ALWAYS, Duration.ofSeconds(20)),
                config -> {
                    if (config.libvirtUri().equals(KVM1_URI)) {
                        throw new dev.virtunit.HostUnavailableException("cannot use libvirt at " + KVM1_URI, null);
                    }
                    LabSession home = startOn(config);
                    started.add(home);
                    return home;
                }))
                .isInstanceOf(dev.virtunit.HostUnavailableException.class)
                .hasMessageStartingWith("pool host kvm1 (" + KVM1_URI + ") of virtunit.hosts cannot be used: cannot "
                        + "use libvirt at");
        assertThat(started).singleElement().satisfies(home -> assertThat(localLibvirt.everything())
                .as("the home's pool went with it").isEmpty());
    }

    @Test
    void twoPoolHostsThatAreBothThisMachineAreRefused() {
        LabConfig twice = config(PoolHost.NO_LIMIT, CleanupMode.ALWAYS, Duration.ofSeconds(20))
                .withHosts(List.of(PoolHost.local(), new PoolHost("here", "qemu:///session", HostLogin.DEFAULT,
                        PoolHost.NO_LIMIT)));

        assertThatThrownBy(() -> HostPool.start(twice, this::startOn))
                .isInstanceOf(InvalidDeclarationException.class)
                .hasMessageContaining("virtunit.hosts lists local and here, which are all this machine");
        assertThat(localLibvirt.everything()).isEmpty();
    }

    @Test
    void aDeclaredHostIsWhereTheGuestRuns() {
        start(PoolHost.NO_LIMIT);

        LabGuest onKvm1 = lab.create(guest().host("kvm1").build(), "a");
        LabGuest alsoOnKvm1 = lab.create(guest().host("kvm1").build(), "b");

        assertThat(List.of(onKvm1.host(), alsoOnKvm1.host())).containsOnly("kvm1");
        assertThat(localLibvirt.domainNames()).isEmpty();
        lab.remove(List.of(onKvm1, alsoOnKvm1));
        assertThat(kvm1Libvirt.domainNames()).isEmpty();
    }

    @Test
    void aDeclaredHostOutsideThePoolOrAGuestNoHostCanHoldIsRefusedAtOnce() {
        kvm1Libvirt.freeMemory = OptionalLong.of(1024L * 1024 * 1024);
        localLibvirt.freeMemory = OptionalLong.of(512L * 1024 * 1024);
        start(PoolHost.NO_LIMIT);

        assertThatThrownBy(() -> lab.create(guest().host("kvm9").build(), "a"))
                .isInstanceOf(InvalidDeclarationException.class)
                .hasMessageContaining("declares host kvm9, which is not in virtunit.hosts (local, kvm1)");
        assertThatThrownBy(() -> lab.create(guest().memoryMiB(2048).build(), "a"))
                .isInstanceOf(InvalidDeclarationException.class)
                .hasMessageContaining("needs 2048 MiB, more than any host of virtunit.hosts had free")
                .hasMessageContaining("kvm1 (" + KVM1_URI + "): cores unknown, 1.0 GiB free");
        assertThat(localLibvirt.domainNames()).isEmpty();
        assertThat(kvm1Libvirt.domainNames()).isEmpty();
    }

    @Test
    void aHomeBridgeIsContinuedOnTheOtherHostThroughATunnelAndBothGoAtTheEnd() {
        start(PoolHost.NO_LIMIT);
        Bridge bridge = lab.bridge(BridgeSpec.linux());

        LabGuest far = lab.create(guest().host("kvm1").nic(bridge).build(), "far");

        assertThat(local.rendered()).as("every bridge leaves VXLAN its 50 bytes")
                .contains("ip link set dev " + bridge.name() + " mtu 1450");
        String homeTunnel = tunnelLine(local, bridge.name() + "t1");
        String farTunnel = tunnelLine(kvm1, "b0t0");
        assertThat(homeTunnel).contains("local 10.9.8.1 remote 10.9.8.7 dstport 4789 dev eth9");
        assertThat(farTunnel).contains("local 10.9.8.7 remote 10.9.8.1 dstport 4789 dev ens3");
        assertThat(vni(farTunnel)).as("one tunnel id at both ends").isEqualTo(vni(homeTunnel));
        String xml = kvm1Libvirt.domainXml(far.name());
        assertThat(xml).contains("<mtu size='1450'/>").doesNotContain("bridge='" + bridge.name() + "'");
        assertThat(lab.topology().toString()).as("the home's picture shows the far guest, on the home's bridge")
                .contains("guest " + far.name() + " (", ", on kvm1)").contains(" on " + bridge.name());
        // The far guest's gateway is the home bridge's: it routes through the tunnel, NAT stays at home.
        assertThat(far.address()).startsWith(bridge.cidr().substring(0, bridge.cidr().lastIndexOf('.')));

        lab.close();
        lab = null;

        assertThat(kvm1.rendered()).anyMatch(line -> line.matches("ip link del dev vu\\w+b0t0"));
        assertThat(local.rendered()).contains("ip link del dev " + bridge.name() + "t1");
        assertThat(kvm1Libvirt.domainNames()).isEmpty();
    }

    @Test
    void aTunnelIdTakenOnTheFarHostIsDrawnAgainAndTheHomeEndRemadeWithIt() {
        start(PoolHost.NO_LIMIT);
        Bridge bridge = lab.bridge(BridgeSpec.ovs());
        kvm1.answerOnce(List.of("ip", "link", "add"), 2, "", "Error: A VXLAN device with the specified VNI already exists.");

        lab.create(guest().host("kvm1").nic(bridge).build(), "far");

        List<String> homeTunnels = local.rendered().stream().filter(l -> l.contains("type vxlan")).toList();
        assertThat(homeTunnels).hasSize(2);
        assertThat(vni(homeTunnels.get(0))).isNotEqualTo(vni(homeTunnels.get(1)));
        int firstRemoval = indexOf(local.rendered(), "--if-exists del-port " + bridge.name() + " " + bridge.name() + "t1");
        assertThat(firstRemoval).as("the first home end went before the second was made")
                .isBetween(local.rendered().indexOf(homeTunnels.get(0)), local.rendered().indexOf(homeTunnels.get(1)));
        assertThat(vni(tunnelLine(kvm1, "b0t0"))).isEqualTo(vni(homeTunnels.get(1)));
    }

    @Test
    void aFailedRunWithCleanupOnSuccessKeepsWhatItMadeOnEveryHost() {
        start(PoolHost.NO_LIMIT, CleanupMode.ON_SUCCESS);
        Bridge bridge = lab.bridge(BridgeSpec.linux());
        LabGuest far = lab.create(guest().host("kvm1").nic(bridge).build(), "far");

        lab.close(false);
        lab = null;

        assertThat(kvm1Libvirt.domainExists(far.name())).isTrue();
        assertThat(local.rendered()).doesNotContain("ip link del dev " + bridge.name());
        assertThat(kvm1.rendered()).noneMatch(line -> line.startsWith("ip link del dev vu"));
    }

    @Test
    void aGuestKeptOnAnotherHostKeepsTheHomeBridgeItRoutesThrough() {
        start(PoolHost.NO_LIMIT);
        Bridge bridge = lab.bridge(BridgeSpec.linux());
        LabGuest far = lab.create(guest().host("kvm1").nic(bridge).build(), "far");

        far.keep();
        lab.close(true);
        lab = null;

        assertThat(kvm1Libvirt.domainExists(far.name())).isTrue();
        assertThat(local.rendered()).as("the home keeps the bridge with its NAT and tunnel")
                .doesNotContain("ip link del dev " + bridge.name());
    }

    @Test
    void aLibvirtNetworkOfTheHomeCannotReachAGuestOnAnotherHost() {
        start(PoolHost.NO_LIMIT);
        Network network = lab.network(NetworkSpec.isolated());

        assertThatThrownBy(() -> lab.create(guest().host("kvm1").nic(network).build(), "far"))
                .isInstanceOf(InvalidDeclarationException.class)
                .hasMessageContaining("placed on pool host kvm1 has a NIC on libvirt network " + network.name())
                .hasMessageContaining("declare host = \"local\"");
        assertThat(kvm1Libvirt.domainNames()).isEmpty();
    }

    private static int indexOf(List<String> lines, String part) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(part)) {
                return i;
            }
        }
        return -1;
    }

    private static String tunnelLine(RecordingHostCommands host, String link) {
        return host.rendered().stream().filter(l -> l.contains("type vxlan") && l.contains(link)).reduce((a, b) -> b)
                .orElseThrow(() -> new AssertionError("no tunnel " + link + " in " + host.rendered()));
    }

    private static int vni(String tunnelLine) {
        Matcher id = Pattern.compile(" id (\\d+) ").matcher(tunnelLine);
        assertThat(id.find()).as(tunnelLine).isTrue();
        return Integer.parseInt(id.group(1));
    }
}
