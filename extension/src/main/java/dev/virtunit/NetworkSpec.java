package dev.virtunit;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a libvirt network should be: the immutable form of {@link LibvirtNetwork}, for code too.
 *
 * @param mode      NAT, route or isolated
 * @param cidr      the subnet; empty picks a free /24
 * @param dhcp      whether dnsmasq serves DHCP
 * @param dhcpHosts static DHCP entries, each {@code {mac, address}}
 * @param uplink    the interface NAT or routing goes toward; empty: wherever the host routes
 * @since 0.1
 */
public record NetworkSpec(Network.Mode mode, Optional<String> cidr, boolean dhcp, List<String[]> dhcpHosts,
                          Optional<String> uplink) {

    public NetworkSpec {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(cidr, "cidr");
        dhcpHosts = List.copyOf(dhcpHosts);
        Objects.requireNonNull(uplink, "uplink");
    }

    /** A NAT network with DHCP toward {@code uplink}, like the seed's {@code default} network. */
    public static NetworkSpec nat(String uplink) {
        return new NetworkSpec(Network.Mode.NAT, Optional.empty(), true, List.of(), Optional.of(uplink));
    }

    public static NetworkSpec isolated() {
        return new NetworkSpec(Network.Mode.ISOLATED, Optional.empty(), true, List.of(), Optional.empty());
    }
}
