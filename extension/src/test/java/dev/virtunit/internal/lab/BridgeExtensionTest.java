package dev.virtunit.internal.lab;

import dev.virtunit.Acceleration;
import dev.virtunit.Bridge;
import dev.virtunit.BridgeSpec;
import dev.virtunit.CleanupMode;
import dev.virtunit.Cidr;
import dev.virtunit.GuestSpec;
import dev.virtunit.LabConfig;
import dev.virtunit.internal.host.FakeHost;
import dev.virtunit.internal.host.MutationSteps;
import dev.virtunit.internal.net.HostNetworking;
import dev.virtunit.internal.net.IpForwarding;
import dev.virtunit.internal.net.Sysctls;
import dev.virtunit.internal.net.TunnelIdTakenException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * An extension of a home bridge on another host, and its tunnel, against two stateful fake hosts: what the extension
 * is (home's subnet, addresses and gateway; its own device address and MTU; no NAT), what is left after each step
 * that can fail (nothing, once the bridge is removed; nothing of the tunnel at once), and a lab's extension as one of
 * its bridges, with a guest on it.
 */
class BridgeExtensionTest {

    private static final String HOME = "vu1a2b3cb0";
    private static final String EXTENSION = "vu4d5e6fb0";
    private static final String TUNNEL = "vu4d5e6fb0t0";
    private static final Cidr SUBNET = Cidr.parse("192.168.77.0/24");

    private final FakeHost homeHost = new FakeHost(new MutationSteps());

    @TempDir
    Path work;

    private static HostNetworking on(FakeHost host) {
        return new HostNetworking(host, new IpForwarding(new Sysctls(host)));
    }

    private LabBridge home(Bridge.Kind kind, Bridge.Gateway gateway) {
        BridgeSpec spec = (kind == Bridge.Kind.OVS ? BridgeSpec.ovs() : BridgeSpec.linux()).withGateway(gateway);
        return LabBridge.create(spec, HOME, "vu_1a2b3c_b0", SUBNET, "1a2b3c", on(homeHost), 1450);
    }

    private static LabBridge extend(LabBridge home, FakeHost member) {
        return BridgeExtension.create(home, EXTENSION, "vu_4d5e6f_b0", "192.168.77.250/24", "4d5e6f", on(member), 1450);
    }

    private static void tunnel(LabBridge bridge, int vni) {
        bridge.addTunnel(TUNNEL, vni, "172.31.250.2", "172.31.250.1", FakeHost.UPLINK);
    }

    private static String addresses(FakeHost host) {
        return host.run(Duration.ofSeconds(1), List.of("ip", "-o", "addr")).stdout();
    }

    @Test
    void anExtensionHasHomesSubnetAddressesAndGatewayItsOwnDeviceAddressAndNoNat() {
        LabBridge home = home(Bridge.Kind.OVS, Bridge.Gateway.ON_VETH);
        List<String> homeMade = homeHost.everything();
        FakeHost member = new FakeHost(new MutationSteps());

        LabBridge extension = extend(home, member);
        tunnel(extension, 4242);

        assertThat(extension.name()).isEqualTo(EXTENSION);
        assertThat(extension.kind()).isEqualTo(Bridge.Kind.OVS);
        assertThat(extension.cidr()).isEqualTo(home.cidr());
        assertThat(extension.gateway()).isEqualTo(home.gateway()).isEqualTo("192.168.77.1");
        assertThat(extension.gatewayPlacement()).isEqualTo(Bridge.Gateway.ON_BRIDGE);
        assertThat(extension.gatewayInterface()).isEqualTo(EXTENSION);
        assertThat(extension.addresses()).isSameAs(home.addresses());
        assertThat(extension.natTable()).isEmpty();
        assertThat(extension.natSpec()).isEmpty();
        assertThatThrownBy(() -> extension.captureUplink(Duration.ofSeconds(1))).hasMessageContaining("has no NAT uplink");
        assertThat(extension.mtu()).isEqualTo(1450);
        assertThat(member.linkMtu(EXTENSION)).isEqualTo(1450);
        assertThat(member.linkMtu(TUNNEL)).isEqualTo(1450);
        assertThat(addresses(member)).contains(EXTENSION + "    inet 192.168.77.250/24");
        assertThat(member.everything()).containsExactly("ovs-internal link " + EXTENSION, "vxlan link " + TUNNEL,
                "Open vSwitch bridge " + EXTENSION, "Open vSwitch port " + TUNNEL + " of " + EXTENSION);
        // One segment, one set of addresses: what home hands out, the extension does not, and the other way round.
        assertThat(home.addresses().next()).isEqualTo("192.168.77.10/24");
        assertThat(extension.addresses().next()).isEqualTo("192.168.77.11/24");

        Teardown guest = new Teardown();
        extension.knowGuestAddress("192.168.77.11", "52:54:00:12:34:56", guest);
        assertThat(member.everything()).contains("neighbour 192.168.77.11 (52:54:00:12:34:56) on " + EXTENSION);
        guest.run();
        extension.remove();
        extension.remove();

        assertThat(member.everything()).isEmpty();
        assertThat(member.unknownCommands()).isEmpty();
        assertThat(homeHost.everything()).as("home's host is not touched").isEqualTo(homeMade);
    }

    @Test
    void anExtensionOfALayer2BridgeHasItsHostAddressButGivesNoGateway() {
        LabBridge home = home(Bridge.Kind.LINUX, Bridge.Gateway.NONE);
        FakeHost member = new FakeHost(new MutationSteps());

        LabBridge extension = extend(home, member);
        tunnel(extension, 4242);

        assertThat(extension.gateway()).isEmpty();
        assertThat(extension.gatewayPlacement()).isEqualTo(Bridge.Gateway.NONE);
        assertThat(addresses(member)).contains(EXTENSION + "    inet 192.168.77.250/24");
        assertThat(member.everything()).containsExactly("bridge link " + EXTENSION, "vxlan link " + TUNNEL);
        extension.remove();
        assertThat(member.everything()).isEmpty();
    }

    /** The member host's side (extension, then its tunnel) failing at each of its steps in turn. */
    @ParameterizedTest
    @EnumSource(Bridge.Kind.class)
    void aFailureAtAnyStepNamesWhatWasBeingMadeAndLeavesNothing(Bridge.Kind kind) {
        LabBridge home = home(kind, Bridge.Gateway.ON_VETH);
        MutationSteps counted = new MutationSteps();
        FakeHost clean = new FakeHost(counted);
        tunnel(extend(home, clean), 4242);
        int steps = counted.count();
        assertThat(steps).isGreaterThanOrEqualTo(kind == Bridge.Kind.OVS ? 6 : 5);

        for (int k = 1; k <= steps; k++) {
            MutationSteps failing = new MutationSteps().failAt(k);
            FakeHost member = new FakeHost(failing);
            LabBridge[] made = new LabBridge[1];
            Throwable failure = catchThrowable(() -> {
                made[0] = extend(home, member);
                tunnel(made[0], 4242);
            });

            assertThat(failure).as("step %d: %s", k, failing.failed()).isNotNull();
            if (made[0] == null) {
                assertThat(failure).hasMessageStartingWith("cannot create " + (kind == Bridge.Kind.OVS ? "OVS" : "Linux")
                        + " bridge " + EXTENSION + ": ");
            } else {
                assertThat(failure).hasMessageStartingWith("cannot add tunnel " + TUNNEL);
                assertThat(member.everything()).as("step %d: the tunnel undone at once", k)
                        .noneMatch(left -> left.contains(TUNNEL));
                made[0].remove();
            }
            assertThat(member.everything()).as("left after step %d (%s) failed", k, failing.failed()).isEmpty();
            assertThat(member.unknownCommands()).isEmpty();
        }
    }

    @Test
    void aTunnelIdTakenOnTheHostIsRefusedAndAnotherIdWorks() {
        FakeHost member = new FakeHost(new MutationSteps());
        member.foreignVxlan("other0", 4242, "172.31.250.2");
        LabBridge extension = extend(home(Bridge.Kind.LINUX, Bridge.Gateway.ON_BRIDGE), member);

        assertThatThrownBy(() -> tunnel(extension, 4242)).isInstanceOf(TunnelIdTakenException.class)
                .hasMessageContaining("to bridge " + EXTENSION).hasMessageContaining("tunnel id 4242 is in use");
        assertThat(member.everything()).containsExactly("bridge link " + EXTENSION);

        tunnel(extension, 4243);
        assertThat(member.everything()).containsExactly("bridge link " + EXTENSION, "vxlan link " + TUNNEL);
    }

    @Test
    void aHostAddressOutsideHomesSubnetOrOnItsGatewayIsRefusedBeforeAnything() {
        LabBridge home = home(Bridge.Kind.OVS, Bridge.Gateway.ON_VETH);
        MutationSteps steps = new MutationSteps();
        FakeHost member = new FakeHost(steps);

        for (String bad : List.of("192.168.78.250/24", "192.168.77.250/25", "192.168.77.1/24", "192.168.77.0/24",
                "192.168.77.255/24", "192.168.77.250")) {
            assertThatThrownBy(() -> BridgeExtension.create(home, EXTENSION, "vu_4d5e6f_b0", bad, "4d5e6f", on(member), 1450))
                    .as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("extension " + EXTENSION + " of bridge " + HOME + ": host address '" + bad + "' ");
        }
        assertThat(steps.count()).isZero();
    }

    @Test
    void aLabsExtensionIsOneOfItsBridgesItsGuestsNicsHaveTheMtuAndCloseRemovesItAndItsTunnel() {
        FakeHost memberHost = new FakeHost(new MutationSteps());
        FakeHypervisor homeLibvirt = new FakeHypervisor();
        FakeHypervisor memberLibvirt = new FakeHypervisor();
        FakeHost homeSide = new FakeHost(new MutationSteps()).withExternalLinks(homeLibvirt::taps);
        memberHost.withExternalLinks(memberLibvirt::taps);
        Path image = FakeLab.blankImage(work, "tiny.qcow2");
        try (LabSession home = start("home", homeLibvirt, homeSide);
             LabSession member = start("member", memberLibvirt, memberHost)) {
            home.hostTopology().linkMtu(1450);
            member.hostTopology().linkMtu(1450);
            LabBridge lan = (LabBridge) home.bridge(BridgeSpec.ovs().withGateway(Bridge.Gateway.ON_VETH));
            Cidr subnet = Cidr.parse(lan.cidr());
            LabBridge extension = member.hostTopology().extension(lan,
                    Cidr.format(subnet.address() + 250) + "/" + subnet.prefixLength());
            extension.addTunnel(Names.tunnelLink(extension.name(), 0), 4242, "172.31.250.2", "172.31.250.1",
                    FakeHost.UPLINK);

            assertThat(extension.name()).isEqualTo(Names.bridgeDevice(member.runId(), 0));
            assertThat(member.hostTopology().bridges()).containsExactly(extension);
            LabGuest near = home.create(GuestSpec.builder().image(image).nic(lan).build(), "near");
            LabGuest far = member.create(GuestSpec.builder().image(image).nic(extension).build(), "far");

            assertThat(far.address()).isNotEqualTo(near.address());
            assertThat(memberLibvirt.domainXml(far.name())).contains("<mtu size='1450'/>");
            assertThat(memberHost.everything()).anyMatch(left -> left.startsWith("neighbour " + far.address() + " (")
                    && left.endsWith(") on " + extension.name()));
            assertThat(memberHost.linkMtu(extension.name())).isEqualTo(1450);
        }
        assertThat(memberHost.everything()).isEmpty();
        assertThat(homeSide.everything()).isEmpty();
        assertThat(memberHost.unknownCommands()).isEmpty();
    }

    @Test
    void aLinkMtuOutsideWhatALinkTakesIsRefused() {
        try (LabSession lab = start("lab", new FakeHypervisor(), new FakeHost(new MutationSteps()))) {
            assertThatThrownBy(() -> lab.hostTopology().linkMtu(1501)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("link MTU 1501 of the bridges of run " + lab.runId() + ": expected 68 to 1500 (1450 "
                            + "leaves a VXLAN tunnel its 50 bytes)");
            assertThatThrownBy(() -> lab.hostTopology().linkMtu(67)).hasMessageStartingWith("link MTU 67 ");
            assertThat(lab.hostTopology().linkMtu()).isEqualTo(1500);
        }
    }

    private LabSession start(String label, FakeHypervisor libvirt, FakeHost host) {
        Path state = work.resolve(label);
        LabConfig config = LabConfig.fromEnvironment().withStateDir(state).withCacheDir(state.resolve("cache"))
                .withAcceleration(Acceleration.TCG).withCleanup(CleanupMode.ALWAYS).withFirstBootCache(false);
        LabSession lab = LabSession.start(config, uri -> libvirt, on(host));
        lab.readiness(FakeLab::readyWithoutNetwork);
        return lab;
    }
}
