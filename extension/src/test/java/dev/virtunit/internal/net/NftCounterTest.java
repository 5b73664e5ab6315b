package dev.virtunit.internal.net;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Output of {@code nft list counter ...} as nftables 1.0.6 (Debian 12) prints it. */
class NftCounterTest {

    @Test
    void readsPacketsAndBytes() {
        NftCounter counter = NftCounter.parse("translated", """
                table ip vu_1a2b3c {
                	counter translated {
                		packets 3 bytes 252
                	}
                }
                """);

        assertThat(counter).isEqualTo(new NftCounter("translated", 3, 252));
    }

    @Test
    void readsAQuotedNameAndLargeValues() {
        NftCounter counter = NftCounter.parse("uplink_drops", """
                table inet virtunit_guard {
                	counter "uplink_drops" {
                		packets 12345678901 bytes 98765432109876
                	}
                }
                """);

        assertThat(counter.packets()).isEqualTo(12345678901L);
        assertThat(counter.bytes()).isEqualTo(98765432109876L);
    }

    @Test
    void readsTheNamedCounterWhenATableListsSeveral() {
        String table = """
                table ip vu_1a2b3c {
                	counter translated {
                		packets 7 bytes 588
                	}

                	counter blocked_inbound {
                		packets 2 bytes 120
                	}
                }
                """;

        assertThat(NftCounter.parse("blocked_inbound", table).packets()).isEqualTo(2);
        assertThat(NftCounter.parse("translated", table).packets()).isEqualTo(7);
    }

    @Test
    void aMissingCounterIsNamedWithTheOutput() {
        assertThatThrownBy(() -> NftCounter.parse("translated", "table ip vu_x {\n}\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no counter 'translated' in nft output: table ip vu_x {\n}");
    }

    @Test
    void aCounterWithoutValuesIsReported() {
        assertThatThrownBy(() -> NftCounter.parse("translated", "table ip vu_x {\n\tcounter translated {\n\t}\n}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("counter 'translated' has no 'packets N bytes N'");
    }
}
