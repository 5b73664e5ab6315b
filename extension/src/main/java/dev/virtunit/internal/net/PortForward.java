package dev.virtunit.internal.net;

import dev.virtunit.Cidr;

import java.util.Locale;
import java.util.Objects;

/**
 * One destination NAT: what arrives on the uplink interface at {@code uplinkPort} goes to
 * {@code guestAddress:guestPort} on the bridge. Part of a {@link NatSpec}; the forward chain lets exactly these
 * connections in from the uplink ({@code ct status dnat}) and nothing else new.
 *
 * @param protocol    TCP or UDP
 * @param uplinkPort  the port on the uplink side, 1 to 65535
 * @param guestAddress the guest's IPv4 address; it must lie in the NAT's source subnet
 * @param guestPort   the port on the guest, 1 to 65535
 * @since 0.1
 */
public record PortForward(Protocol protocol, int uplinkPort, String guestAddress, int guestPort) {

    /** The transport protocols a port forward can carry. */
    public enum Protocol {
        TCP, UDP;

        /** The name nftables uses: {@code tcp}, {@code udp}. */
        public String nftName() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Parses {@code tcp} or {@code udp}, in any case. */
        public static Protocol parse(String text) {
            for (Protocol protocol : values()) {
                if (protocol.name().equalsIgnoreCase(text)) {
                    return protocol;
                }
            }
            throw new IllegalArgumentException("protocol '" + text + "' is neither tcp nor udp");
        }
    }

    public PortForward {
        Objects.requireNonNull(protocol, "protocol");
        checkPort("uplink port", uplinkPort);
        checkPort("guest port", guestPort);
        Cidr.parseAddress(guestAddress);
    }

    public static PortForward tcp(int uplinkPort, String guestAddress, int guestPort) {
        return new PortForward(Protocol.TCP, uplinkPort, guestAddress, guestPort);
    }

    public static PortForward udp(int uplinkPort, String guestAddress, int guestPort) {
        return new PortForward(Protocol.UDP, uplinkPort, guestAddress, guestPort);
    }

    private static void checkPort(String what, int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(what + " " + port + " is not between 1 and 65535");
        }
    }
}
