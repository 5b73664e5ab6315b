package dev.virtunit.internal.net;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * The program a {@link NetProbe} runs: JDK classes only, so that its one class file, shipped to a remote host, runs
 * there on its own ({@link JavaLauncher}). Usage and exit statuses as {@link NetProbe} says.
 *
 * @since 0.4
 */
public final class NetProbeClient {

    static final int ANSWERED = 0;
    static final int NO_ANSWER = 3;
    static final int NOT_SENT = 4;

    private NetProbeClient() {
    }

    public static void main(String[] args) {
        if (args.length != 5 || !(args[0].equals("tcp") || args[0].equals("udp"))) {
            System.err.println("usage: NetProbeClient tcp|udp HOST PORT MESSAGE TIMEOUT_MILLIS");
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
