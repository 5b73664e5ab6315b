package dev.virtunit.internal.net;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NatSpecTest {

    @Test
    void clearsHostBitsOfTheSourceSubnet() {
        assertThat(new NatSpec("vu_a", "192.168.230.77/24", "vuabr", "vuaup").sourceCidr()).isEqualTo("192.168.230.0/24");
    }

    @Test
    void rejectsATableNameThatIsNotVirtunits() {
        assertThatThrownBy(() -> new NatSpec("nat", "192.168.230.0/24", "vuabr", "vuaup"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("nftables table name 'nat' must start with 'vu' (like vu_1a2b3c) so that "
                        + "scripts/check-leftovers recognises it as virtunit's");
    }

    @Test
    void rejectsATableNameNftWouldMisread() {
        assertThatThrownBy(() -> new NatSpec("vu-a;flush ruleset", "192.168.230.0/24", "vuabr", "vuaup"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("nftables table name 'vu-a;flush ruleset' may only contain letters, digits and '_', "
                        + "starting with a letter");
    }

    @Test
    void rejectsABadSourceCidr() {
        assertThatThrownBy(() -> new NatSpec("vu_a", "192.168.230.0", "vuabr", "vuaup"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'192.168.230.0' is not an IPv4 address with a prefix length");
    }

    @Test
    void rejectsAnInterfaceNameLongerThanLinuxAllows() {
        assertThatThrownBy(() -> new NatSpec("vu_a", "192.168.230.0/24", "vu-a-very-long-bridge", "vuaup"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("interface name 'vu-a-very-long-bridge' has 21 characters; Linux allows at most 15 characters");
    }

    @Test
    void rejectsTheSameInterfaceOnBothSides() {
        assertThatThrownBy(() -> new NatSpec("vu_a", "192.168.230.0/24", "vuabr", "vuabr"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("both 'vuabr'");
    }

    @Test
    void rejectsAPortForwardToAGuestOutsideTheSubnet() {
        assertThatThrownBy(() -> new NatSpec("vu_a", "192.168.230.0/24", "vuabr", "vuaup",
                List.of(PortForward.tcp(8080, "192.168.231.10", 80))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("port forward to 192.168.231.10:80 leaves the source subnet 192.168.230.0/24; the forward "
                        + "chain only admits guests on vuabr");
    }

    @Test
    void rejectsTheSameUplinkPortTwice() {
        NatSpec spec = new NatSpec("vu_a", "192.168.230.0/24", "vuabr", "vuaup")
                .withPortForward(PortForward.tcp(8080, "192.168.230.10", 80));

        assertThatThrownBy(() -> spec.withPortForward(PortForward.tcp(8080, "192.168.230.11", 80)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("uplink port tcp/8080 is forwarded twice");
        // the same number over UDP is another port
        assertThat(spec.withPortForward(PortForward.udp(8080, "192.168.230.11", 80)).portForwards()).hasSize(2);
    }

    @Test
    void portForwardsCheckTheirPortsAndAddress() {
        assertThatThrownBy(() -> PortForward.tcp(0, "192.168.230.10", 80))
                .hasMessage("uplink port 0 is not between 1 and 65535");
        assertThatThrownBy(() -> PortForward.udp(53, "192.168.230.10", 65536))
                .hasMessage("guest port 65536 is not between 1 and 65535");
        assertThatThrownBy(() -> PortForward.tcp(80, "guest-a", 80))
                .hasMessage("'guest-a' is not a dotted IPv4 address like 192.168.231.2");
        assertThat(PortForward.Protocol.parse("UDP")).isEqualTo(PortForward.Protocol.UDP);
        assertThatThrownBy(() -> PortForward.Protocol.parse("sctp")).hasMessage("protocol 'sctp' is neither tcp nor udp");
    }
}
