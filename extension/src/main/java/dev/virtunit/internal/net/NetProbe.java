package dev.virtunit.internal.net;

import java.net.NoRouteToHostException;
import dev.virtunit.Cidr;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * A one-shot TCP or UDP client to run inside a network namespace standing in for a guest or an upstream host
 * ({@code ip netns exec NS java ... NetProbe ...}, built by {@link #tcp} and {@link #udp}). busybox's {@code nc}
 * on Debian has no UDP mode, python is not on every runner, and a probe must report precisely what happened: the
 * reply it got, or which step failed.
 *
 * <p>Usage: {@code NetProbe tcp|udp HOST PORT MESSAGE TIMEOUT_MILLIS}. TCP: connects, sends the message and a
 * newline, half-closes, prints everything the server sends until it closes. UDP: sends the message as one
 * datagram and prints the first datagram that comes back. Exit status: 0 answered, 3 no answer within the timeout
 * (connection refused or timed out, datagram unanswered), 4 could not send at all (no route), 2 bad usage.
 *
 * @since 0.1
 */
public final class NetProbe {

    /** Exit status: an answer arrived and was printed. */
    public static final int ANSWERED = 0;
    /** Exit status: no answer within the timeout, or the connection was refused. */
    public static final int NO_ANSWER = 3;
    /** Exit status: the probe could not even be sent. */
    public static final int NOT_SENT = 4;

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
        return java.argv(NetProbe.class, protocol, host, Integer.toString(port), message,
                Long.toString(timeout.toMillis()));
    }

    public static void main(String[] args) {
        if (args.length != 5 || !(args[0].equals("tcp") || args[0].equals("udp"))) {
            System.err.println("usage: NetProbe tcp|udp HOST PORT MESSAGE TIMEOUT_MILLIS");
            System.exit(2);
        }
        InetSocketAddress target = new InetSocketAddress(args[1], Integer.parseInt(args[2]));
        byte[] message = (args[3] + "\n").getBytes(StandardCharsets.UTF_8);
        int timeout = Integer.parseInt(args[4]);
        System.exit(args[0].equals("tcp") ? tcp(target, message, timeout) : udp(target, message, timeout));
    }

    private static int tcp(InetSocketAddress target, byte[] message, int timeout) {
        try (Socket socket = new Socket()) {
            try {
                socket.connect(target, timeout);
            } catch (SocketTimeoutException e) {
                System.err.println("tcp connect to " + target + " timed out after " + timeout + " ms");
                return NO_ANSWER;
            } catch (IOException e) {
                System.err.println("tcp connect to " + target + " failed: " + e);
                // No route (ENETUNREACH, EHOSTUNREACH) means nothing left this host; refused means it got there and back.
                boolean unreachable = e instanceof NoRouteToHostException
                        || (e.getMessage() != null && e.getMessage().contains("unreachable"));
                return unreachable ? NOT_SENT : NO_ANSWER;
            }
            socket.setSoTimeout(timeout);
            OutputStream out = socket.getOutputStream();
            out.write(message);
            out.flush();
            socket.shutdownOutput();
            InputStream in = socket.getInputStream();
            byte[] answer = in.readAllBytes();
            System.out.print(new String(answer, StandardCharsets.UTF_8));
            System.out.flush();
            return answer.length > 0 ? ANSWERED : NO_ANSWER;
        } catch (SocketTimeoutException e) {
            System.err.println("tcp " + target + ": no complete answer within " + timeout + " ms");
            return NO_ANSWER;
        } catch (IOException e) {
            System.err.println("tcp " + target + ": " + e);
            return NO_ANSWER;
        }
    }

    private static int udp(InetSocketAddress target, byte[] message, int timeout) {
        try (DatagramSocket socket = new DatagramSocket()) {
            try {
                socket.send(new DatagramPacket(message, message.length, target));
            } catch (IOException e) {
                System.err.println("udp send to " + target + " failed: " + e.getMessage());
                return NOT_SENT;
            }
            socket.setSoTimeout(timeout);
            byte[] buffer = new byte[65535];
            DatagramPacket answer = new DatagramPacket(buffer, buffer.length);
            socket.receive(answer);
            System.out.print(new String(answer.getData(), answer.getOffset(), answer.getLength(), StandardCharsets.UTF_8));
            System.out.flush();
            return ANSWERED;
        } catch (SocketTimeoutException e) {
            System.err.println("udp " + target + ": no answer within " + timeout + " ms");
            return NO_ANSWER;
        } catch (IOException e) {
            System.err.println("udp " + target + ": " + e);
            return NO_ANSWER;
        }
    }
}
