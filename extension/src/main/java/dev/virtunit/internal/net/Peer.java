package dev.virtunit.internal.net;

import java.util.Optional;

/**
 * One client an {@link EchoServer} saw: a TCP connection or a UDP datagram, with the source address and port it
 * came from (after any NAT on the way, which is the point).
 *
 * @param sequence 0 for the first peer an {@link EchoService} saw, then 1, 2, ...; to tell new peers from old
 * @param protocol {@code tcp} or {@code udp}
 * @param address  the source IPv4 address
 * @param port     the source port
 * @since 0.1
 */
public record Peer(int sequence, String protocol, String address, int port) {

    /** Parses an {@link EchoServer} line {@code PEER tcp|udp <ip> <port>}; empty for any other line. */
    public static Optional<Peer> parse(int sequence, String line) {
        String[] fields = line.strip().split(" ");
        if (fields.length != 4 || !fields[0].equals("PEER") || !(fields[1].equals("tcp") || fields[1].equals("udp"))) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Peer(sequence, fields[1], fields[2], Integer.parseInt(fields[3])));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    public boolean isTcp() {
        return protocol.equals("tcp");
    }

    public boolean isUdp() {
        return protocol.equals("udp");
    }
}
