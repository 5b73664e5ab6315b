package dev.virtunit.internal.net;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The exact text {@link NatRules} loads. The same text was loaded with nftables 1.0.6 on Debian 12 by the
 * integration tests (it/.../net), so a change here is a change of what runs on the host.
 */
class NatRulesTest {

    @Test
    void rendersMasqueradeFilterAndNoPortForwards() {
        NatSpec spec = new NatSpec("vu_1a2b3c", "192.168.230.0/24", "vu1a2b3cgw", "vu1a2b3cup");

        assertThat(NatRules.render(spec)).isEqualTo("""
                table ip vu_1a2b3c {
                \tcounter translated {
                \t}

                \tcounter blocked_inbound {
                \t}

                \tchain prerouting {
                \t\ttype nat hook prerouting priority dstnat; policy accept;
                \t}

                \tchain postrouting {
                \t\ttype nat hook postrouting priority srcnat; policy accept;
                \t\tip saddr 192.168.230.0/24 oifname "vu1a2b3cup" counter name translated masquerade
                \t}

                \tchain forward {
                \t\ttype filter hook forward priority filter; policy accept;
                \t\tiifname "vu1a2b3cgw" oifname "vu1a2b3cup" accept
                \t\tiifname "vu1a2b3cup" oifname "vu1a2b3cgw" ct state established,related accept
                \t\tiifname "vu1a2b3cup" oifname "vu1a2b3cgw" ct status dnat accept
                \t\tiifname "vu1a2b3cup" oifname "vu1a2b3cgw" counter name blocked_inbound drop
                \t}
                }
                """);
    }

    @Test
    void rendersOneDnatRulePerPortForwardInDeclarationOrder() {
        NatSpec spec = new NatSpec("vu_1a2b3c", "192.168.230.0/24", "vu1a2b3cbr", "vu1a2b3cup", List.of(
                PortForward.tcp(8080, "192.168.230.10", 80),
                PortForward.udp(5353, "192.168.230.11", 53)));

        assertThat(NatRules.render(spec)).contains("""
                \tchain prerouting {
                \t\ttype nat hook prerouting priority dstnat; policy accept;
                \t\tiifname "vu1a2b3cup" tcp dport 8080 counter dnat to 192.168.230.10:80
                \t\tiifname "vu1a2b3cup" udp dport 5353 counter dnat to 192.168.230.11:53
                \t}
                """);
    }

    @Test
    void theScriptReplacesTheTableInOneTransaction() {
        NatSpec spec = new NatSpec("vu_1a2b3c", "192.168.230.0/24", "vu1a2b3cbr", "vu1a2b3cup");

        assertThat(NatRules.script(spec)).isEqualTo("add table ip vu_1a2b3c\n"
                + "delete table ip vu_1a2b3c\n"
                + NatRules.render(spec));
    }

    @Test
    void theSourceSubnetIsRenderedAsANetworkEvenWhenGivenAsTheGatewayAddress() {
        NatSpec spec = new NatSpec("vu_1a2b3c", "192.168.230.1/24", "vu1a2b3cbr", "vu1a2b3cup");

        assertThat(NatRules.render(spec)).contains("ip saddr 192.168.230.0/24 oifname");
    }
}
