package dev.virtunit;

import java.util.Locale;

/**
 * A port forward as a bridge declares it, {@code tcp:8080->192.168.77.10:80}: connections to the host's uplink
 * address on {@code uplinkPort} go to {@code guestAddress:guestPort}. The guest address may be relative
 * ({@code .10}, host 10 of the bridge's subnet), resolved once the subnet is known.
 *
 * @param protocol     {@code tcp} or {@code udp}
 * @param uplinkPort   the port on the uplink, 1 to 65535
 * @param guestAddress a dotted IPv4 address, or {@code .N}
 * @param guestPort    the guest's port, 1 to 65535
 * @since 0.2
 */
public record PortForwardRule(String protocol, int uplinkPort, String guestAddress, int guestPort) {

    private static final String FORM = "tcp:8080->192.168.77.10:80 (or udp:..., or ->.10:80 for host 10 of the subnet)";

    /**
     * Reads {@code tcp:8080->192.168.77.10:80}; blanks are ignored.
     *
     * @param text e.g. {@code tcp:8080->192.168.77.10:80}; null or blank fails
     * @return the rule
     * @throws IllegalArgumentException naming the text and the form expected
     */
    public static PortForwardRule parse(String text) {
        String compact = text == null ? "" : text.replace(" ", "");
        int arrow = compact.indexOf("->");
        int colon = compact.indexOf(':');
        int lastColon = compact.lastIndexOf(':');
        if (arrow < 0 || colon < 0 || colon > arrow || lastColon < arrow) {
            throw invalid(text);
        }
        String protocol = compact.substring(0, colon).toLowerCase(Locale.ROOT);
        if (!protocol.equals("tcp") && !protocol.equals("udp")) {
            throw new IllegalArgumentException("port forward '" + text + "' has protocol '" + protocol
                    + "'; use tcp or udp, as in " + FORM);
        }
        String guest = compact.substring(arrow + 2, lastColon);
        if (!Cidr.isAddress(guest) && !Cidr.isRelativeAddress(guest)) {
            throw new IllegalArgumentException("port forward '" + text + "' points at '" + guest
                    + "', which is not an IPv4 address; write it as " + FORM);
        }
        return new PortForwardRule(protocol, port(compact.substring(colon + 1, arrow), text),
                guest, port(compact.substring(lastColon + 1), text));
    }

    /**
     * {@return the guest's address in {@code subnet}: relative forms resolved, absolute ones as given}
     *
     * @param subnet the bridge's subnet
     */
    public String guestAddressIn(Cidr subnet) {
        return Cidr.isRelativeAddress(guestAddress) ? Cidr.format(Cidr.resolveAddress(guestAddress, subnet)) : guestAddress;
    }

    private static int port(String digits, String text) {
        try {
            int port = Integer.parseInt(digits);
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("port forward '" + text + "' has port '" + digits
                + "'; ports are 1 to 65535, as in " + FORM);
    }

    private static IllegalArgumentException invalid(String text) {
        return new IllegalArgumentException("port forward '" + text + "' is not of the form " + FORM);
    }
}
