package dev.virtunit;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An IPv4 address with a prefix length, such as {@code 192.168.231.1/24} (an interface address) or
 * {@code 192.168.231.0/24} (a subnet). IPv4 only, because the NAT tables virtunit builds are of nftables family
 * {@code ip}; parsing is strict (four decimal octets, no leading zeros that {@code ip} would read as octal) so a
 * typo fails here with the offending value rather than later inside {@code ip} or {@code nft}.
 *
 * @param address the address as a 32-bit number (the first octet in the high byte)
 * @param prefixLength 0 to 32
 * @since 0.1
 */
public record Cidr(int address, int prefixLength) {

    private static final Pattern ADDRESS = Pattern.compile("(0|[1-9][0-9]{0,2})\\.(0|[1-9][0-9]{0,2})\\.(0|[1-9][0-9]{0,2})\\.(0|[1-9][0-9]{0,2})");
    private static final Pattern CIDR = Pattern.compile("([0-9.]+)/(0|[1-9][0-9]?)");
    /** A host part relative to a subnet not written out: {@code .50} is host 50 of whatever the subnet is. */
    private static final Pattern RELATIVE = Pattern.compile("\\.(0|[1-9][0-9]{0,4})");

    /**
     * Checks the prefix length.
     *
     * @param address the address as a 32-bit number (the first octet in the high byte)
     * @param prefixLength 0 to 32
     * @throws IllegalArgumentException when {@code prefixLength} is not 0 to 32
     */
    public Cidr {
        if (prefixLength < 0 || prefixLength > 32) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " is not between 0 and 32");
        }
    }

    /**
     * Parses {@code a.b.c.d/n}.
     *
     * @param text e.g. {@code 192.168.77.1/24}
     * @return the address and prefix length as written; host bits are kept
     * @throws IllegalArgumentException naming the value when it is not an IPv4 address with a prefix length
     */
    public static Cidr parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("CIDR is null; expected an IPv4 address with a prefix length, like 192.168.231.1/24");
        }
        Matcher matcher = CIDR.matcher(text);
        if (!matcher.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not an IPv4 address with a prefix length, like 192.168.231.1/24");
        }
        int prefix = Integer.parseInt(matcher.group(2));
        if (prefix > 32) {
            throw new IllegalArgumentException("'" + text + "' has prefix length " + prefix + "; IPv4 allows 0 to 32");
        }
        return new Cidr(parseAddress(matcher.group(1), text), prefix);
    }

    /**
     * Parses a plain dotted IPv4 address into its 32-bit value.
     *
     * @param text e.g. {@code 192.168.77.1}
     * @return the address as a 32-bit number, first octet in the high byte
     * @throws IllegalArgumentException naming the value when it is not one
     */
    public static int parseAddress(String text) {
        return parseAddress(text, text);
    }

    /**
     * {@return whether {@code text} is a plain dotted IPv4 address}
     *
     * @param text any text; null is not an address
     */
    public static boolean isAddress(String text) {
        try {
            parseAddress(text);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static int parseAddress(String text, String whole) {
        if (text == null) {
            throw new IllegalArgumentException("IPv4 address is null");
        }
        Matcher matcher = ADDRESS.matcher(text);
        if (!matcher.matches()) {
            throw new IllegalArgumentException("'" + whole + "' is not a dotted IPv4 address like 192.168.231.2");
        }
        int value = 0;
        for (int i = 1; i <= 4; i++) {
            int octet = Integer.parseInt(matcher.group(i));
            if (octet > 255) {
                throw new IllegalArgumentException("'" + whole + "' has octet " + octet + " above 255");
            }
            value = (value << 8) | octet;
        }
        return value;
    }

    /**
     * {@return whether {@code text} is a host part relative to a subnet, such as {@code .50}}
     *
     * @param text any text
     */
    public static boolean isRelativeAddress(String text) {
        return text != null && RELATIVE.matcher(text).matches();
    }

    /**
     * A declared address inside {@code subnet}: a dotted address as it is, or {@code .N} meaning host {@code N} of the
     * subnet. This is the one place the relative form is read.
     *
     * @param text a dotted address or {@code .N}
     * @param subnet the subnet {@code .N} is relative to
     * @return the address as a 32-bit number
     * @throws IllegalArgumentException naming the value when it is neither, or when host {@code N} lies outside the subnet
     */
    public static int resolveAddress(String text, Cidr subnet) {
        if (!isRelativeAddress(text)) {
            return parseAddress(text);
        }
        long host = Long.parseLong(text.substring(1));
        if (host >= (1L << (32 - subnet.prefixLength()))) {
            throw new IllegalArgumentException("'" + text + "' is host " + host + ", beyond the subnet " + subnet.network());
        }
        return subnet.network().address() + (int) host;
    }

    /**
     * A declared address with an optional prefix length inside {@code subnet}: {@code .50}, {@code .50/24},
     * {@code 192.168.77.50/24}; without a prefix length the subnet's applies.
     *
     * @param text {@code .50}, {@code .50/24} or {@code 192.168.77.50/24}, say
     * @param subnet the subnet a relative address and a missing prefix length come from
     * @return the address with its prefix length
     * @throws IllegalArgumentException naming the value when it is not of that form
     */
    public static Cidr resolve(String text, Cidr subnet) {
        if (text == null) {
            throw new IllegalArgumentException("address is null");
        }
        int slash = text.indexOf('/');
        if (slash < 0) {
            return new Cidr(resolveAddress(text, subnet), subnet.prefixLength());
        }
        String prefix = text.substring(slash + 1);
        if (!prefix.matches("0|[1-9][0-9]?") || Integer.parseInt(prefix) > 32) {
            throw new IllegalArgumentException("'" + text + "' has prefix length '" + prefix + "'; IPv4 allows 0 to 32");
        }
        return new Cidr(resolveAddress(text.substring(0, slash), subnet), Integer.parseInt(prefix));
    }

    /**
     * {@return the dotted form of a 32-bit address}
     *
     * @param address a 32-bit address, first octet in the high byte
     */
    public static String format(int address) {
        return ((address >>> 24) & 0xff) + "." + ((address >>> 16) & 0xff) + "." + ((address >>> 8) & 0xff) + "." + (address & 0xff);
    }

    /** {@return the netmask as a 32-bit value ({@code /24} is {@code 0xffffff00})} */
    public int mask() {
        return prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
    }

    /** {@return the subnet this address belongs to: {@code 192.168.231.1/24} gives {@code 192.168.231.0/24}} */
    public Cidr network() {
        return new Cidr(address & mask(), prefixLength);
    }

    /** {@return whether this value names a subnet (no host bits set), as a route or a firewall rule expects} */
    public boolean isNetwork() {
        return (address & ~mask()) == 0;
    }

    /** {@return the address alone, dotted: {@code 192.168.231.1}} */
    public String addressText() {
        return format(address);
    }

    /**
     * {@return whether {@code ipv4} (dotted) lies inside this subnet}
     *
     * @param ipv4 a dotted IPv4 address
     */
    public boolean contains(String ipv4) {
        return contains(parseAddress(ipv4));
    }

    /**
     * {@return whether {@code ipv4} lies inside this subnet}
     *
     * @param ipv4 a 32-bit address, first octet in the high byte
     */
    public boolean contains(int ipv4) {
        return (ipv4 & mask()) == (address & mask());
    }

    /**
     * {@return whether the two subnets share at least one address}
     *
     * @param other another subnet
     */
    public boolean overlaps(Cidr other) {
        int shorter = Math.min(prefixLength, other.prefixLength);
        int mask = shorter == 0 ? 0 : -1 << (32 - shorter);
        return (address & mask) == (other.address & mask);
    }

    @Override
    public String toString() {
        return addressText() + "/" + prefixLength;
    }
}
