package dev.virtunit.internal.lab;

import dev.virtunit.internal.ssh.SshJump;
import dev.virtunit.internal.ssh.SshRoute;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How the test reaches the lab's guests: directly from this machine (guests on this machine's bridges), or through
 * the SSH connection of the remote host they run on, since this machine has no route to that host's networks. It
 * carries the route of every guest login ({@link GuestSshSessions}), the probe readiness asks whether a guest's SSH
 * port is open as the guests' host sees it ({@link Readiness}), and the jump host a person's {@code ssh -J} goes
 * through ({@link ManualLogin}). The lab's {@link LabHost} holds one: direct for this machine, through its
 * {@code SshHostCommands} for a remote host ({@link LabHost#open}).
 *
 * @param ssh       the route of every SSH login to a guest
 * @param probe     whether a port of a guest's address accepts connections, as the guests' host sees it
 * @param portPoll  how often readiness asks {@code probe}
 * @since 0.4
 */
public record GuestRoute(SshRoute ssh, PortProbe probe, Duration portPoll) {

    /**
     * The SSH port opens in the middle of a boot, and every poll it is not seen open adds to the guest's time: tried
     * again almost at once (a refused connection returns at once), each try bounded so that a SYN lost while the
     * guest's network was not up yet is sent again soon rather than after the kernel's 1 s retransmission.
     */
    private static final Duration LOCAL_PORT_POLL = Duration.ofMillis(20);
    private static final int LOCAL_CONNECT_TIMEOUT_MILLIS = 250;
    /**
     * Through a jump each probe is a channel opened on the host's SSH connection, which its commands share, and it
     * waits for the host's own TCP connect to end: asked less often.
     */
    private static final Duration JUMP_PORT_POLL = Duration.ofMillis(100);

    /** Whether {@code port} of {@code address} accepts a TCP connection, seen from where the guests are. */
    @FunctionalInterface
    public interface PortProbe {
        boolean open(String address, int port);
    }

    public GuestRoute {
        Objects.requireNonNull(ssh, "ssh");
        Objects.requireNonNull(probe, "probe");
        Objects.requireNonNull(portPoll, "portPoll");
    }

    /** Guests on this machine's bridges: SSH and probes connect from here, as before remote hosts. */
    public static GuestRoute direct() {
        return new GuestRoute(SshRoute.direct(), GuestRoute::connectsFromHere, LOCAL_PORT_POLL);
    }

    /** Guests of the remote host whose SSH connection {@code jump} uses: logins and probes go through it. */
    public static GuestRoute through(SshJump jump) {
        return new GuestRoute(SshRoute.via(jump), jump::portOpen, JUMP_PORT_POLL);
    }

    /** The {@code user@host:port} a person's {@code ssh -J} goes through; empty for guests reached directly. */
    Optional<String> jumpHost() {
        return ssh.jump().map(SshJump::address);
    }

    private static boolean connectsFromHere(String address, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address, port), LOCAL_CONNECT_TIMEOUT_MILLIS);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
