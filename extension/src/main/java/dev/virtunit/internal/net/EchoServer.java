package dev.virtunit.internal.net;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A TCP and UDP echo service that says who it saw: the "outside world" of a NAT test, run inside a network
 * namespace by {@link EchoService}. Whether NAT happened is exactly the source address a server sees, so it reports
 * that twice: to the peer, as a first line {@code peer <ip> <port>} followed by the echoed data, and on its own
 * stdout as {@code PEER tcp|udp <ip> <port>}, one line per connection or datagram, read by the process that started
 * it. UDP matters most: without NAT a TCP handshake cannot complete (the answer has no route back), but a datagram
 * still arrives and shows the untranslated source.
 *
 * <p>Usage: {@code EchoServer TCPPORT UDPPORT} (0 picks a free port). It prints {@code READY tcp <port> udp <port>}
 * once both sockets are bound, and exits when its stdin ends, so it dies with the JVM that started it.
 *
 * @since 0.1
 */
public final class EchoServer {

    /** A connection idle this long is closed, so a forgotten client cannot pin a thread forever. */
    private static final int IDLE_MILLIS = 60_000;

    private static final PrintStream OUT = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);

    private EchoServer() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: EchoServer TCPPORT UDPPORT (0 picks a free port)");
            System.exit(2);
        }
        InetAddress any = InetAddress.getByName("0.0.0.0");
        ServerSocket tcp = new ServerSocket();
        tcp.setReuseAddress(true);
        tcp.bind(new InetSocketAddress(any, Integer.parseInt(args[0])));
        DatagramSocket udp = new DatagramSocket(new InetSocketAddress(any, Integer.parseInt(args[1])));

        daemon("echo-udp", () -> serveUdp(udp));
        daemon("echo-tcp", () -> serveTcp(tcp));
        say("READY tcp " + tcp.getLocalPort() + " udp " + udp.getLocalPort());
        // The main thread keeps the JVM alive (the others are daemons) until our parent closes our stdin.
        exitAtEndOfInput();
    }

    private static void exitAtEndOfInput() {
        try {
            InputStream in = System.in;
            byte[] buffer = new byte[256];
            while (in.read(buffer) >= 0) {
                // input is ignored: it exists only so that its end tells us our parent is gone
            }
        } catch (IOException e) {
            // an unreadable stdin means the same as a closed one
        }
        System.exit(0);
    }

    private static void serveUdp(DatagramSocket udp) {
        byte[] buffer = new byte[65535];
        while (true) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                udp.receive(packet);
            } catch (IOException e) {
                System.err.println("udp receive failed: " + e);
                continue;
            }
            String ip = packet.getAddress().getHostAddress();
            int port = packet.getPort();
            // Report before answering: the answer may have no route back (the point of a NAT test).
            say("PEER udp " + ip + " " + port);
            byte[] header = ("peer " + ip + " " + port + "\n").getBytes(StandardCharsets.UTF_8);
            byte[] reply = new byte[header.length + packet.getLength()];
            System.arraycopy(header, 0, reply, 0, header.length);
            System.arraycopy(packet.getData(), packet.getOffset(), reply, header.length, packet.getLength());
            try {
                udp.send(new DatagramPacket(reply, reply.length, packet.getSocketAddress()));
            } catch (IOException e) {
                System.err.println("cannot answer udp " + ip + " " + port + ": " + e.getMessage());
            }
        }
    }

    private static void serveTcp(ServerSocket tcp) {
        while (true) {
            Socket socket;
            try {
                socket = tcp.accept();
            } catch (IOException e) {
                System.err.println("tcp accept failed: " + e);
                continue;
            }
            daemon("echo-tcp-" + socket.getPort(), () -> echo(socket));
        }
    }

    private static void echo(Socket socket) {
        String ip = socket.getInetAddress().getHostAddress();
        int port = socket.getPort();
        say("PEER tcp " + ip + " " + port);
        try (socket) {
            socket.setSoTimeout(IDLE_MILLIS);
            OutputStream out = socket.getOutputStream();
            out.write(("peer " + ip + " " + port + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            socket.getInputStream().transferTo(out);
        } catch (IOException e) {
            System.err.println("tcp " + ip + " " + port + ": " + e.getMessage());
        }
    }

    private static void say(String line) {
        synchronized (OUT) {
            OUT.println(line);
        }
    }

    private static void daemon(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        thread.start();
    }
}
