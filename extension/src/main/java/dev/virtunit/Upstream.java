package dev.virtunit;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * "The outside world" of a NAT test: a network namespace of ours, wired to the host by a veth pair whose host end
 * is a NAT uplink. It answers ping and runs a TCP and UDP echo service that records the source address of every
 * peer, so a test can prove what NAT did: the upstream sees the host's address, never the guest's own. It has no
 * route back to guest subnets, like the real internet, so without NAT no reply reaches a guest. No packet of it
 * leaves the machine.
 *
 * @since 0.1
 */
public interface Upstream {

    /** {@return the namespace's name ({@code ip netns})} */
    String name();

    /** {@return the upstream host's address: what guests ping and connect to} */
    String address();

    /** {@return the host's address on the uplink: what a masqueraded guest appears as} */
    String hostAddress();

    /** {@return the host-side interface of the uplink, the {@code uplink} of a NAT} */
    String uplinkInterface();

    /** {@return the TCP port of the echo service on {@link #address()}} */
    int tcpPort();

    /** {@return the UDP port of the echo service on {@link #address()}} */
    int udpPort();

    /** {@return every peer the echo service saw so far, oldest first} */
    List<Peer> peersSeen();

    /**
     * Sends one UDP datagram from {@code guest} to the echo service and returns the source address the upstream
     * saw it come from, or empty if nothing arrived within {@code timeout}. UDP rather than TCP: without NAT a TCP
     * handshake cannot complete (no route back), but a datagram still arrives and shows its untranslated source.
     *
     * @param guest the guest that sends the datagram
     * @param timeout how long to wait for it to arrive
     * @return the dotted source address the upstream saw, or empty if nothing arrived
     */
    Optional<String> sourceSeenFrom(Guest guest, Duration timeout);

    /**
     * Opens a TCP connection from the upstream to {@code address:port} and returns what the far side sent before it
     * closed (or within {@code timeout}); empty when no connection could be made. For port forwards: the upstream
     * connects to the host's uplink address, and the guest behind the forward answers.
     *
     * @param address the address to connect to, dotted
     * @param port the TCP port
     * @param timeout how long to wait for the connection and the far side's data
     * @return what the far side sent, possibly empty text; an empty Optional when no connection was made
     */
    Optional<String> tcpFrom(String address, int port, Duration timeout);

    /**
     * Gives the upstream a route to {@code segment}'s subnet through the host, as a neighbour on the uplink that
     * tries to reach guests directly would have. NAT's forward filter must still drop what no port forward admits.
     *
     * @param segment the bridge or network whose subnet to route
     */
    void routeThroughHost(Segment segment);

    /** One client of the echo service. */
    record Peer(String protocol, String address, int port) {
    }
}
