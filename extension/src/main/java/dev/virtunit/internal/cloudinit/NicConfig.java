package dev.virtunit.internal.cloudinit;

import dev.virtunit.Cidr;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The configuration of one guest NIC as cloud-init's network-config v2 expresses it, matched by MAC address.
 * Either DHCP, or static addresses (CIDR notation) with an optional default gateway and name servers.
 *
 * @param mac          the NIC's MAC address, lower case, the key that finds the NIC in the guest
 * @param name         the name to give the NIC in the guest ({@code set-name}), e.g. {@code eth0}
 * @param dhcp         whether to ask DHCP for an address
 * @param addresses    static addresses such as {@code 192.168.77.10/24}; empty with DHCP
 * @param gateway      the default route's next hop, if any
 * @param nameservers  DNS servers for a static configuration
 */
public record NicConfig(String mac, String name, boolean dhcp, List<String> addresses, Optional<String> gateway,
                        List<String> nameservers) {

    public NicConfig {
        mac = Objects.requireNonNull(mac, "mac").toLowerCase(Locale.ROOT);
        if (!mac.matches("([0-9a-f]{2}:){5}[0-9a-f]{2}")) {
            throw new IllegalArgumentException("MAC address '" + mac + "' is not of the form 52:54:00:12:34:56");
        }
        Objects.requireNonNull(name, "name");
        addresses = List.copyOf(addresses);
        nameservers = List.copyOf(nameservers);
        Objects.requireNonNull(gateway, "gateway");
        if (dhcp == !addresses.isEmpty()) {
            throw new IllegalArgumentException("NIC " + mac + " needs either DHCP or static addresses, not "
                    + (dhcp ? "both" : "neither"));
        }
        for (String address : addresses) {
            try {
                Cidr.parse(address);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("address '" + address + "' of NIC " + mac
                        + " is not in CIDR notation such as 192.168.77.10/24", e);
            }
        }
    }

    public static NicConfig dhcp(String mac, String name) {
        return new NicConfig(mac, name, true, List.of(), Optional.empty(), List.of());
    }

    public static NicConfig staticAddress(String mac, String name, String cidr, String gateway) {
        return new NicConfig(mac, name, false, List.of(cidr), Optional.ofNullable(gateway), List.of());
    }
}
