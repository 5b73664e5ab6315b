package dev.virtunit.internal.ssh;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PingCommandTest {

    @Test
    void buildsTheCommandBothPingsUnderstand() {
        assertThat(PingCommand.of("10.0.0.2", 3, 1)).isEqualTo("ping -c 3 -i 1 -W 1 10.0.0.2");
        assertThat(PingCommand.of("router.lab", 1, 5)).isEqualTo("ping -c 1 -i 1 -W 5 router.lab");
        assertThat(PingCommand.of("fd00::2", 2, 1)).isEqualTo("ping -c 2 -i 1 -W 1 fd00::2");
    }

    @Test
    void theArgumentVectorHasTheSameWords() {
        assertThat(PingCommand.argv("fe80::1%eth0", 3, 1)).containsExactly("ping", "-c", "3", "-i", "1", "-W", "1", "fe80::1%eth0");
        assertThat(PingCommand.of("fe80::1%eth0", 3, 1)).isEqualTo("ping -c 3 -i 1 -W 1 fe80::1%eth0");
        assertThatThrownBy(() -> PingCommand.argv("$(reboot)", 3, 1)).hasMessageStartingWith("cannot ping [$(reboot)]");
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.2", "0.0.0.0", "255.255.255.255", "192.168.77.10", "localhost", "router",
            "router.lab", "router.lab.", "a-b.c-d.example", "xn--bcher-kva.example", "fd00::2", "::1", "::",
            "fe80::1%eth0", "2001:db8:0:0:0:0:0:1", "::ffff:192.0.2.1", "2001:DB8::A"})
    void acceptsAddressesAndHostNames(String target) {
        assertThat(PingCommand.isValidTarget(target)).as(target).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "10.0.0.2; reboot", "$(reboot)", "`id`", "10.0.0.2 && id", "a|b", "a>b",
            "-f", "-c1000", "host name", "host\nname", "router-", "-router", "a..b", "10.0.0.256", "1.2.3",
            "1.2.3.4.5", "fd00:::2", "1::2::3", "1:2:3:4:5:6:7:8:9", "12345::1", "fe80::1%eth0;id", "fe80::1%",
            ":1", "1:", "g::1", "*", "'x'", "\"x\"", "a\\b"})
    void refusesAnythingElse(String target) {
        assertThat(PingCommand.isValidTarget(target)).as("[%s]", target).isFalse();
    }

    @Test
    void refusalNamesTheValue() {
        assertThatThrownBy(() -> PingCommand.of("10.0.0.2; reboot", 3, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cannot ping [10.0.0.2; reboot]: not an IPv4 address, an IPv6 address or a host name "
                        + "(letters, digits, '-' and '.'); the target goes into a shell command line, so nothing "
                        + "else is accepted");
        assertThatThrownBy(() -> PingCommand.of(null, 3, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("cannot ping [null]");
    }

    @Test
    void refusesCountsAndTimeoutsOutOfRange() {
        assertThatThrownBy(() -> PingCommand.of("10.0.0.2", 0, 1))
                .hasMessage("ping count 0 for 10.0.0.2 must be between 1 and 1000");
        assertThatThrownBy(() -> PingCommand.of("10.0.0.2", 3, 0))
                .hasMessage("ping timeout of 0 s for 10.0.0.2 must be between 1 and 3600 seconds");
    }

    @Test
    void hostNamesAreAtMost253Characters() {
        String label = "a".repeat(63);
        String name253 = String.join(".", label, label, label, "a".repeat(61));

        assertThat(name253).hasSize(253);
        assertThat(PingCommand.isValidTarget(name253)).isTrue();
        assertThat(PingCommand.isValidTarget(name253 + "a")).isFalse();
        assertThat(PingCommand.isValidTarget("a".repeat(64))).isFalse();
    }
}
