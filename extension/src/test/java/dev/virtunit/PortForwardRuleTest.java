package dev.virtunit;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PortForwardRuleTest {

    @Test
    void readsAbsoluteAndRelativeGuestAddresses() {
        assertThat(PortForwardRule.parse("tcp:8080->192.168.77.10:80"))
                .isEqualTo(new PortForwardRule("tcp", 8080, "192.168.77.10", 80));
        PortForwardRule relative = PortForwardRule.parse(" UDP:53 -> .20:5353 ");
        assertThat(relative).isEqualTo(new PortForwardRule("udp", 53, ".20", 5353));
        assertThat(relative.guestAddressIn(Cidr.parse("192.168.150.0/24"))).isEqualTo("192.168.150.20");
    }

    @Test
    void namesTheTextAndTheFormWhenMalformed() {
        assertThatThrownBy(() -> PortForwardRule.parse("8080:80"))
                .hasMessage("port forward '8080:80' is not of the form tcp:8080->192.168.77.10:80 (or udp:..., or "
                        + "->.10:80 for host 10 of the subnet)");
        assertThatThrownBy(() -> PortForwardRule.parse("sctp:1->.2:3")).hasMessageContaining("protocol 'sctp'");
        assertThatThrownBy(() -> PortForwardRule.parse("tcp:0->.2:3")).hasMessageContaining("port '0'");
        assertThatThrownBy(() -> PortForwardRule.parse("tcp:1->.2:70000")).hasMessageContaining("port '70000'");
        assertThatThrownBy(() -> PortForwardRule.parse("tcp:1->192.168.077.2:3"))
                .hasMessageContaining("'192.168.077.2', which is not an IPv4 address");
    }

    @Test
    void aBridgeSpecReportsBadForwardsWithItsOtherProblemsAtBuildTime() {
        assertThatThrownBy(() -> new BridgeSpec(Bridge.Kind.OVS, Optional.of("192.168.77.0/24"),
                Bridge.Gateway.NONE, Optional.of("up0"),
                List.of("tcp:8080->192.168.78.10:80", "tcp:80")))
                .isInstanceOf(InvalidDeclarationException.class)
                .hasMessageContaining("needs a gateway address")
                .hasMessageContaining("points at 192.168.78.10, outside the bridge's subnet 192.168.77.0/24")
                .hasMessageContaining("port forward 'tcp:80' is not of the form");
    }
}
