package dev.virtunit.internal.net;

import dev.virtunit.Cidr;

import java.time.Duration;
import java.util.List;

/**
 * A one-shot TCP or UDP client to run inside a network namespace standing in for a guest or an upstream host
 * ({@code ip netns exec NS java ... NetProbeClient ...}, built by {@link #tcp} and {@link #udp}; the client is a class of
 * its own, with no dependency beyond the JDK, so that it runs alone on a remote host). busybox's {@code nc}
 * on Debian has no UDP mode, python is not on every runner, and a probe must report precisely what happened: the
 * reply it got, or which step failed.
 *
 * <p>Usage: {@code NetProbeClient tcp|udp HOST PORT MESSAGE TIMEOUT_MILLIS}. TCP: connects, sends the message and a
 * newline, half-closes, prints everything the server sends until it closes. UDP: sends the message as one
 * datagram and prints the first datagram that comes back. Exit status: 0 answered, 3 no answer within the timeout
 * (connection refused or timed out, datagram unanswered), 4 could not send at all (no route), 2 bad usage.
 *
 * @since 0.1
 */
public final class NetProbe {

    /** Exit status: an answer arrived and was printed. */
    public static final int ANSWERED = NetProbeClient.ANSWERED;
    /** Exit status: no answer within the timeout, or the connection was refused. */
    public static final int NO_ANSWER = NetProbeClient.NO_ANSWER;
    /** Exit status: the probe could not even be sent. */
    public static final int NOT_SENT = NetProbeClient.NOT_SENT;

    private NetProbe() {
    }

    /** The argument vector of a TCP probe of {@code host:port}, for {@link NetworkNamespaces#execIn}. */
    public static List<String> tcp(String host, int port, String message, Duration timeout) {
        return tcp(JavaLauncher.local(), host, port, message, timeout);
    }

    /** As {@link #tcp(String, int, String, Duration)}, run by {@code java} (the host's own, on a remote host). */
    public static List<String> tcp(JavaLauncher java, String host, int port, String message, Duration timeout) {
        return argv(java, "tcp", host, port, message, timeout);
    }

    /** The argument vector of a UDP probe of {@code host:port}, for {@link NetworkNamespaces#execIn}. */
    public static List<String> udp(String host, int port, String message, Duration timeout) {
        return udp(JavaLauncher.local(), host, port, message, timeout);
    }

    /** As {@link #udp(String, int, String, Duration)}, run by {@code java} (the host's own, on a remote host). */
    public static List<String> udp(JavaLauncher java, String host, int port, String message, Duration timeout) {
        return argv(java, "udp", host, port, message, timeout);
    }

    private static List<String> argv(JavaLauncher java, String protocol, String host, int port, String message, Duration timeout) {
        Cidr.parseAddress(host);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is not between 1 and 65535");
        }
        if (message.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("probe message '" + message + "' must be one line");
        }
        return java.argv(NetProbeClient.class, protocol, host, Integer.toString(port), message,
                Long.toString(timeout.toMillis()));
    }
}
