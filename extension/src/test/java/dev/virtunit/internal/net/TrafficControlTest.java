package dev.virtunit.internal.net;

import dev.virtunit.LinkConditions;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The commands and rule sets of link impairment, as nft 1.0.6 and tc accept them on a kernel without netem. */
class TrafficControlTest {

    @Test
    void lossDropsThatShareOfTheEgressAtRandomAndAllOfItWithoutAComparison() {
        assertThat(TrafficControl.lossScript("vu_1a2b3c_lvnet3", "vnet3", 30)).isEqualTo("""
                table netdev vu_1a2b3c_lvnet3 {
                \tchain egress {
                \t\ttype filter hook egress device "vnet3" priority filter; policy accept;
                \t\tnumgen random mod 10000 < 3000 counter drop
                \t}
                }
                """);
        assertThat(TrafficControl.lossScript("vu_t", "vnet3", 0.5)).contains("numgen random mod 10000 < 50 counter drop");
        // nft refuses "< 10000": numgen's values end at 9999.
        assertThat(TrafficControl.lossScript("vu_t", "vnet3", 100)).contains("\t\tcounter drop\n").doesNotContain("numgen");
    }

    @Test
    void delayTakesNetemAndARateAloneTakesTbf() {
        assertThat(TrafficControl.netemCommand("vnet3", LinkConditions.delay(Duration.ofMillis(200)).withLoss(5)))
                .containsExactly("tc", "qdisc", "replace", "dev", "vnet3", "root", "netem", "delay", "200ms", "loss", "5%");
        assertThat(TrafficControl.tbfCommand("vnet3", 512)).containsExactly("tc", "qdisc", "replace", "dev", "vnet3",
                "root", "tbf", "rate", "512kbit", "burst", "32kbit", "latency", "400ms");
    }
}
