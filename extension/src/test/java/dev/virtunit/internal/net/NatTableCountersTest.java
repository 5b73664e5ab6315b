package dev.virtunit.internal.net;

import dev.virtunit.observe.NatCounters;
import dev.virtunit.observe.RuleCounter;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The counters of a NAT table, from {@code nft list table} as nftables 1.0.6 prints what {@link NatRules} loads. */
class NatTableCountersTest {

    static final String LISTED = """
            table ip vu_1a2b3c_b0 {
            	counter translated {
            		packets 3 bytes 252
            	}

            	counter blocked_inbound {
            		packets 1 bytes 60
            	}

            	chain prerouting {
            		type nat hook prerouting priority dstnat; policy accept;
            		iifname "vu1a2b3cu0h" tcp dport 8080 counter packets 2 bytes 120 dnat to 192.168.77.50:80
            		iifname "vu1a2b3cu0h" udp dport 5353 counter packets 0 bytes 0 dnat to 192.168.77.51:53
            	}

            	chain postrouting {
            		type nat hook postrouting priority srcnat; policy accept;
            		ip saddr 192.168.77.0/24 oifname "vu1a2b3cu0h" counter name "translated" masquerade
            	}
            }
            """;

    @Test
    void namedCountersAndEachPortForwardsCounterAreRead() {
        NatCounters counters = NatTableCounters.parse(LISTED);

        assertThat(counters.masquerade()).isEqualTo(new RuleCounter(3, 252));
        assertThat(counters.blockedInbound()).isEqualTo(new RuleCounter(1, 60));
        assertThat(counters.portForwards()).isEqualTo(Map.of(
                "tcp:8080->192.168.77.50:80", new RuleCounter(2, 120),
                "udp:5353->192.168.77.51:53", new RuleCounter(0, 0)));
    }

    @Test
    void whatTheRulesLoadReadsAsZeroBeforeNftablesCountsAnything() {
        String rendered = NatRules.render(new NatSpec("vu_1a2b3c_b0", "192.168.77.0/24", "vu1a2b3cb0g", "vu1a2b3cu0h",
                List.of(PortForward.tcp(8080, "192.168.77.50", 80))));

        NatCounters counters = NatTableCounters.parse(rendered);

        assertThat(counters.masquerade()).isEqualTo(RuleCounter.ZERO);
        assertThat(counters.portForwards()).containsOnlyKeys("tcp:8080->192.168.77.50:80");
    }

    @Test
    void theCommandListsTheTableByItsCheckedName() {
        assertThat(NatTableCounters.listCommand("vu_1a2b3c_b0")).containsExactly("nft", "list", "table", "ip", "vu_1a2b3c_b0");
    }
}
