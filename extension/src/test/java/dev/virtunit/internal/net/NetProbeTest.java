package dev.virtunit.internal.net;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NetProbeTest {

    @Test
    void runsInAJvmLikeThisOneFromWhereTheClassCameFrom() {
        List<String> argv = NetProbe.udp("192.168.231.2", 4000, "hello", Duration.ofSeconds(2));

        assertThat(argv.get(0)).isEqualTo(JavaMain.javaExecutable());
        assertThat(argv).containsSequence("-cp", JavaMain.classpathOf(NetProbeClient.class).toString(),
                "dev.virtunit.internal.net.NetProbeClient", "udp", "192.168.231.2", "4000", "hello", "2000");
        assertThat(argv).contains("-Djava.net.preferIPv4Stack=true");
    }

    @Test
    void checksItsArguments() {
        assertThatThrownBy(() -> NetProbe.tcp("upstream", 80, "x", Duration.ofSeconds(1)))
                .hasMessage("'upstream' is not a dotted IPv4 address like 192.168.231.2");
        assertThatThrownBy(() -> NetProbe.tcp("192.168.231.2", 0, "x", Duration.ofSeconds(1)))
                .hasMessage("port 0 is not between 1 and 65535");
        assertThatThrownBy(() -> NetProbe.udp("192.168.231.2", 53, "a\nb", Duration.ofSeconds(1)))
                .hasMessage("probe message 'a\nb' must be one line");
    }
}
