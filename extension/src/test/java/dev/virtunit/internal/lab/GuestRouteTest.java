package dev.virtunit.internal.lab;

import dev.virtunit.GuestNotReadyException;
import dev.virtunit.GuestSpec;
import dev.virtunit.Seed;
import dev.virtunit.internal.ssh.ForwardingForbiddenException;
import dev.virtunit.internal.ssh.SshHostCommands;
import dev.virtunit.internal.ssh.SshRoute;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The lab's {@link GuestRoute} on a fake hypervisor: readiness asks the route's probe whether the guest's SSH port is
 * open, guests' logins and a person's {@code ssh} go the route's way, and messages name the host they go through.
 * The jump host here is a loopback port nothing listens on: no packet leaves this machine, whatever the guest's
 * address.
 */
class GuestRouteTest {

    @TempDir
    Path stateDir;
    @TempDir
    Path images;

    private final FakeHypervisor hypervisor = new FakeHypervisor();
    private final List<String> probed = new CopyOnWriteArrayList<>();
    private LabSession lab;
    private Path image;
    private SshHostCommands nowhere;
    private String jumpHost;

    @BeforeEach
    void setUp() throws IOException {
        image = FakeLab.blankImage(images, "appliance.qcow2");
        lab = FakeLab.start(stateDir, hypervisor);
        lab.readiness(LabGuest::awaitReadyNow);
        int closed;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        }
        nowhere = SshHostCommands.withKeyFile("root", "127.0.0.1", closed, stateDir.resolve("no-key"),
                Files.createFile(stateDir.resolve("known_hosts")));
        jumpHost = "root@127.0.0.1:" + closed;
    }

    @AfterEach
    void close() {
        lab.close();
        nowhere.close();
    }

    /** A route through {@link #nowhere} whose probe answers {@code open} and records what it was asked. */
    private GuestRoute routeWhoseProbeSays(boolean open) {
        return new GuestRoute(SshRoute.via(nowhere.jump()), (address, port) -> {
            probed.add(address + ":" + port);
            return open;
        }, Duration.ofMillis(20));
    }

    private LabGuest guestAt(String cidr) {
        return lab.create(GuestSpec.builder().image(image).seed(Seed.NONE).password("secret").address(cidr)
                .bootTimeout(Duration.ofSeconds(2)).build(), "remote");
    }

    @Test
    void aLabReachesItsGuestsDirectlyUnlessToldOtherwise() {
        GuestRoute route = lab.site().guestRoute();

        assertThat(route.ssh()).isSameAs(SshRoute.direct());
        assertThat(route.portPoll()).isEqualTo(Duration.ofMillis(20));
        assertThat(route.jumpHost()).isEmpty();
    }

    @Test
    void readinessAsksTheRoutesProbeAndWaitsWhileThePortIsClosedThere() {
        lab.site().guestRoute(routeWhoseProbeSays(false));
        LabGuest guest = guestAt("192.168.200.7/24");

        assertThatThrownBy(guest::awaitReady).isInstanceOf(GuestNotReadyException.class)
                .hasMessageContaining("waiting for 'SSH port open'");
        assertThat(probed).isNotEmpty().containsOnly("192.168.200.7:22");
    }

    @Test
    void anOpenPortThereLeadsToALoginThroughTheHostWhichNamesIt() {
        lab.site().guestRoute(routeWhoseProbeSays(true));
        LabGuest guest = guestAt("192.168.200.9/24");

        assertThatThrownBy(guest::awaitReady).isInstanceOf(GuestNotReadyException.class)
                .hasMessageContaining("waiting for 'SSH login'")
                .hasMessageContaining("reached: domain running after ")
                .hasMessageContaining("SSH port open after ")
                .cause().cause().hasMessageStartingWith("cannot connect to 192.168.200.9:22 via " + jumpHost + ": the jump host "
                        + jumpHost + " cannot be used to reach 192.168.200.9:22: cannot connect to 127.0.0.1:");
        assertThat(probed).contains("192.168.200.9:22");
    }

    @Test
    void aHostThatForbidsForwardingEndsTheWaitAtOnceNamingTheGuest() {
        lab.site().guestRoute(new GuestRoute(SshRoute.via(nowhere.jump()), (address, port) -> {
            throw new ForwardingForbiddenException("the jump host " + jumpHost + " does not allow TCP forwarding", null);
        }, Duration.ofMillis(20)));
        LabGuest guest = lab.create(GuestSpec.builder().image(image).seed(Seed.NONE).password("secret")
                .address("192.168.200.13/24").bootTimeout(Duration.ofSeconds(60)).build(), "remote");

        assertThatThrownBy(guest::awaitReady).isInstanceOf(GuestNotReadyException.class)
                .hasMessage("guest " + guest.name() + " will not become ready: the jump host " + jumpHost
                        + " does not allow TCP forwarding");
    }

    @Test
    void theGuestsSshHandleAndThePastedSshGoThroughTheHost() {
        lab.site().guestRoute(GuestRoute.through(nowhere.jump()));
        LabGuest guest = lab.create(GuestSpec.builder().image(image).seed(Seed.NONE).password("secret")
                .address("192.168.200.11/24").awaitSsh(false).build(), "remote");

        assertThat(lab.site().guestRoute().jumpHost()).isEqualTo(Optional.of(jumpHost));
        assertThat(lab.site().guestRoute().portPoll()).isGreaterThan(GuestRoute.direct().portPoll());
        assertThat(guest.ssh()).hasToString("SshjSsh[root@192.168.200.11:22 via " + jumpHost + "]");
        assertThat(guest.ssh().commandLine()).isEqualTo("ssh -J " + jumpHost + " root@192.168.200.11");
        assertThat(guest.howToReach()).startsWith("guest " + guest.name() + ": ssh -J " + jumpHost
                + " -o StrictHostKeyChecking=accept-new root@192.168.200.11\n");
    }
}
