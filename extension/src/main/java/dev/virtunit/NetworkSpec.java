package dev.virtunit;

import dev.virtunit.junit.LibvirtNetwork;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * What a libvirt network should be: the immutable form of {@link LibvirtNetwork}, for code too. Checked whole when
 * made: every broken rule is reported together in one {@link InvalidDeclarationException}.
 *
 * @param mode      NAT, route or isolated
 * @param cidr      the subnet; empty picks a free /24
 * @param dhcp      whether dnsmasq serves DHCP
 * @param dhcpFirst first host part of the DHCP range
 * @param dhcpLast  last host part of the DHCP range
 * @param dhcpHosts static DHCP entries
 * @param uplink    the interface NAT or routing goes toward; empty: wherever the host routes
 * @since 0.1
 */
public record NetworkSpec(Network.Mode mode, Optional<String> cidr, boolean dhcp, int dhcpFirst, int dhcpLast,
                          List<DhcpHost> dhcpHosts, Optional<String> uplink) {

    /**
     * A static DHCP entry: the guest with this MAC always gets this address.
     *
     * @param mac     the guest NIC's MAC address (kept in lower case)
     * @param address a dotted address in the network's subnet, or {@code .N} for host N of it
     * @since 0.2
     */
    public record DhcpHost(String mac, String address) {
        /**
         * Checks that neither component is null; keeps the MAC in lower case.
         *
         * @param mac     the guest NIC's MAC address (kept in lower case)
         * @param address a dotted address in the network's subnet, or {@code .N} for host N of it
         */
        public DhcpHost {
            mac = Objects.requireNonNull(mac, "mac").toLowerCase(Locale.ROOT);
            Objects.requireNonNull(address, "address");
        }

        /**
         * {@return the address inside {@code subnet}, {@code .N} resolved; the network checks it lies there}
         *
         * @param subnet the network's subnet
         */
        public String addressIn(Cidr subnet) {
            return Cidr.format(Cidr.resolveAddress(address, subnet));
        }

        @Override
        public String toString() {
            return mac + "=" + address;
        }
    }

    /**
     * Checks the whole spec; copies {@code dhcpHosts}.
     *
     * @param mode      NAT, route or isolated
     * @param cidr      the subnet; empty picks a free /24
     * @param dhcp      whether dnsmasq serves DHCP
     * @param dhcpFirst first host part of the DHCP range
     * @param dhcpLast  last host part of the DHCP range
     * @param dhcpHosts static DHCP entries
     * @param uplink    the interface NAT or routing goes toward; empty: wherever the host routes
     * @throws InvalidDeclarationException listing every rule the spec breaks
     */
    public NetworkSpec {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(cidr, "cidr");
        dhcpHosts = List.copyOf(dhcpHosts);
        Objects.requireNonNull(uplink, "uplink");
        List<String> problems = SpecRules.networkProblems(mode, cidr, dhcp, dhcpFirst, dhcpLast, dhcpHosts, uplink);
        if (!problems.isEmpty()) {
            throw new InvalidDeclarationException("libvirt network", problems);
        }
    }

    /**
     * {@return a NAT network with DHCP toward {@code uplink}, like the seed's {@code default} network}
     *
     * @param uplink the host interface to masquerade toward
     */
    public static NetworkSpec nat(String uplink) {
        return new NetworkSpec(Network.Mode.NAT, Optional.empty(), true, 100, 254, List.of(), Optional.of(uplink));
    }

    /** {@return an isolated network with DHCP on a free /24: guests and the host only} */
    public static NetworkSpec isolated() {
        return new NetworkSpec(Network.Mode.ISOLATED, Optional.empty(), true, 100, 254, List.of(), Optional.empty());
    }
}
