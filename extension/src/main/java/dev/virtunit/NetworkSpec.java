package dev.virtunit;

import dev.virtunit.junit.LibvirtNetwork;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a libvirt network should be: the immutable form of {@link LibvirtNetwork}, for code too.
 *
 * @param mode      NAT, route or isolated
 * @param cidr      the subnet; empty picks a free /24
 * @param dhcp      whether dnsmasq serves DHCP
 * @param dhcpFirst first host part of the DHCP range
 * @param dhcpLast  last host part of the DHCP range
 * @param dhcpHosts static DHCP entries, each {@code {mac, address}}
 * @param uplink    the interface NAT or routing goes toward; empty: wherever the host routes
 * @since 0.1
 */
public record NetworkSpec(Network.Mode mode, Optional<String> cidr, boolean dhcp, int dhcpFirst, int dhcpLast,
                          List<String[]> dhcpHosts, Optional<String> uplink) {

    public NetworkSpec {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(cidr, "cidr");
        dhcpHosts = List.copyOf(dhcpHosts);
        Objects.requireNonNull(uplink, "uplink");
        if (dhcpFirst < 2 || dhcpLast > 254 || dhcpFirst > dhcpLast) {
            throw new InvalidDeclarationException("DHCP range ." + dhcpFirst + " to ." + dhcpLast + " is not within .2 "
                    + "to .254 (the host is .1), first before last");
        }
    }

    /** A NAT network with DHCP toward {@code uplink}, like the seed's {@code default} network. */
    public static NetworkSpec nat(String uplink) {
        return new NetworkSpec(Network.Mode.NAT, Optional.empty(), true, 100, 254, List.of(), Optional.of(uplink));
    }

    public static NetworkSpec isolated() {
        return new NetworkSpec(Network.Mode.ISOLATED, Optional.empty(), true, 100, 254, List.of(), Optional.empty());
    }
}
