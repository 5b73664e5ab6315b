package dev.virtunit;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The rules of {@link BridgeSpec} and {@link NetworkSpec}: checked when made, every problem reported together. */
class SpecRulesTest {

    @Test
    void aBridgeReportsEveryProblemAtOnce() {
        assertThatThrownBy(() -> new BridgeSpec(Bridge.Kind.OVS, Optional.of("192.168.77.0/33"), Bridge.Gateway.NONE,
                Optional.of("eth9"), List.of("tcp:8080->.10:80"))).isInstanceOf(InvalidDeclarationException.class)
                .hasMessage("Open vSwitch bridge is invalid: cidr '192.168.77.0/33' is not a subnet in CIDR notation such "
                        + "as 192.168.77.0/24; a bridge with NAT needs a gateway address on the host; give gateway "
                        + "ON_BRIDGE or ON_VETH, or drop natUplink");
        assertThatThrownBy(() -> BridgeSpec.linux().withPortForward("tcp:8080->.10:80"))
                .hasMessage("Linux bridge is invalid: port forwards need NAT: give natUplink (the host interface "
                        + "toward the outside), or drop portForwards");
        assertThatThrownBy(() -> BridgeSpec.linux().withCidr("192.168.077.0/24"))
                .hasMessage("Linux bridge is invalid: cidr '192.168.077.0/24' is not a subnet in CIDR notation such as "
                        + "192.168.77.0/24");
        assertThat(BridgeSpec.ovs().withCidr("192.168.77.0/24").withNat("eth0").withPortForward("tcp:8080->.10:80")
                .portForwards()).containsExactly("tcp:8080->.10:80");
    }

    @Test
    void aNetworkReportsEveryProblemAtOnce() {
        InvalidDeclarationException e = (InvalidDeclarationException) org.assertj.core.api.Assertions.catchThrowable(() ->
                new NetworkSpec(Network.Mode.ISOLATED, Optional.of("10.0.0.0/24x"), false, 200, 100,
                        List.of(new NetworkSpec.DhcpHost("52:54:00:00:00:12", ".012"),
                                new NetworkSpec.DhcpHost("52:54:00:00:00", "10.0.0.12")),
                        Optional.of("eth0")));
        assertThat(e.problems()).containsExactly(
                "cidr '10.0.0.0/24x' is not a subnet in CIDR notation such as 192.168.77.0/24",
                "DHCP range .200 to .100 is not within .2 to .254 (the host is .1), first before last",
                "dhcpHosts entry '52:54:00:00:00:12=.012' is not of the form 52:54:00:00:00:12=192.168.122.12 (or =.12 "
                        + "for host 12 of the subnet)",
                "dhcpHosts entry '52:54:00:00:00=10.0.0.12' is not of the form 52:54:00:00:00:12=192.168.122.12 (or =.12 "
                        + "for host 12 of the subnet)",
                "dhcpHosts need dhcp = true: give dhcp = true, or drop dhcpHosts",
                "an isolated network forwards nowhere; drop uplink or use mode NAT or ROUTE");
        assertThat(e).hasMessageStartingWith("libvirt network is invalid: cidr '10.0.0.0/24x'");
    }

    @Test
    void dhcpHostsAreResolvedInTheSubnetWithoutChangingTheSpec() {
        NetworkSpec.DhcpHost relative = new NetworkSpec.DhcpHost("52:54:00:AB:CD:01", ".42");
        NetworkSpec spec = new NetworkSpec(Network.Mode.NAT, Optional.empty(), true, 100, 254,
                List.of(relative, new NetworkSpec.DhcpHost("52:54:00:ab:cd:02", "192.168.9.7")), Optional.empty());

        assertThat(relative.mac()).isEqualTo("52:54:00:ab:cd:01");
        assertThat(relative.addressIn(Cidr.parse("192.168.9.0/24"))).isEqualTo("192.168.9.42");
        assertThat(spec.dhcpHosts().get(1).addressIn(Cidr.parse("192.168.9.0/24"))).isEqualTo("192.168.9.7");
        assertThat(spec.dhcpHosts().get(0).address()).isEqualTo(".42");
        assertThatThrownBy(() -> spec.dhcpHosts().add(relative)).isInstanceOf(UnsupportedOperationException.class);
    }
}
