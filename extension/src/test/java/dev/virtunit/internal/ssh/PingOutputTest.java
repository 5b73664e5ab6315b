package dev.virtunit.internal.ssh;

import dev.virtunit.VirtunitException;
import dev.virtunit.observe.ExecResult;
import dev.virtunit.observe.PingResult;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.OptionalDouble;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Real output, captured on Debian 12 from BusyBox 1.35.0 {@code ping} and iputils 20221126 {@code ping}, both run
 * as {@code ping -c N -W 1 127.0.0.1} inside a fresh network namespace ({@code unshare -n}) with stdout and stderr
 * together. Loss was made on the namespace's own loopback with nftables input rules: {@code drop} for silence,
 * {@code numgen inc mod 2 0 drop} for every other request, {@code reject with icmp type host-unreachable} for
 * errors. "Network is unreachable" is loopback left down; the bad names were looked up with no network at all.
 */
class PingOutputTest {

    @Nested
    class Busybox {

        @Test
        void allAnswered() {
            PingResult result = PingOutput.parse("127.0.0.1", """
                    PING 127.0.0.1 (127.0.0.1): 56 data bytes
                    64 bytes from 127.0.0.1: seq=0 ttl=64 time=0.090 ms
                    64 bytes from 127.0.0.1: seq=1 ttl=64 time=0.086 ms
                    64 bytes from 127.0.0.1: seq=2 ttl=64 time=0.106 ms

                    --- 127.0.0.1 ping statistics ---
                    3 packets transmitted, 3 packets received, 0% packet loss
                    round-trip min/avg/max = 0.086/0.094/0.106 ms
                    """);

            assertThat(result.target()).isEqualTo("127.0.0.1");
            assertThat(result.transmitted()).isEqualTo(3);
            assertThat(result.received()).isEqualTo(3);
            assertThat(result.rttMinMs()).isEqualTo(OptionalDouble.of(0.086));
            assertThat(result.rttAvgMs()).isEqualTo(OptionalDouble.of(0.094));
            assertThat(result.rttMaxMs()).isEqualTo(OptionalDouble.of(0.106));
            assertThat(result.lossPercent()).isZero();
            assertThat(result.reachable()).isTrue();
        }

        @Test
        void halfAnswered() {
            PingResult result = PingOutput.parse("127.0.0.1", """
                    PING 127.0.0.1 (127.0.0.1): 56 data bytes
                    64 bytes from 127.0.0.1: seq=1 ttl=64 time=0.069 ms
                    64 bytes from 127.0.0.1: seq=3 ttl=64 time=0.085 ms

                    --- 127.0.0.1 ping statistics ---
                    4 packets transmitted, 2 packets received, 50% packet loss
                    round-trip min/avg/max = 0.069/0.077/0.085 ms
                    """);

            assertThat(result.transmitted()).isEqualTo(4);
            assertThat(result.received()).isEqualTo(2);
            assertThat(result.lossPercent()).isEqualTo(50.0);
            assertThat(result.rttAvgMs()).isEqualTo(OptionalDouble.of(0.077));
        }

        @Test
        void noneAnsweredHasNoRoundTripLine() {
            String output = """
                    PING 127.0.0.1 (127.0.0.1): 56 data bytes

                    --- 127.0.0.1 ping statistics ---
                    3 packets transmitted, 0 packets received, 100% packet loss
                    """;

            PingResult result = PingOutput.parse("127.0.0.1", output);

            assertThat(result.transmitted()).isEqualTo(3);
            assertThat(result.received()).isZero();
            assertThat(result.rttMinMs()).isEmpty();
            assertThat(result.rttAvgMs()).isEmpty();
            assertThat(result.rttMaxMs()).isEmpty();
            assertThat(result.lossPercent()).isEqualTo(100.0);
            assertThat(result.reachable()).isFalse();
            assertThat(result.output()).isEqualTo(output);
        }

        @Test
        void networkUnreachableStopsBeforeTheSummary() {
            String output = """
                    PING 127.0.0.1 (127.0.0.1): 56 data bytes
                    ping: sendto: Network is unreachable
                    """;

            PingResult result = PingOutput.parse("127.0.0.1", output);

            assertThat(result.transmitted()).isZero();
            assertThat(result.received()).isZero();
            assertThat(result.lossPercent()).isEqualTo(100.0);
            assertThat(result.reachable()).isFalse();
            assertThat(result.output()).isEqualTo(output);
        }

        @Test
        void badAddress() {
            PingResult result = PingOutput.parse("nosuchhost", "ping: bad address 'nosuchhost'\n");

            assertThat(result.target()).isEqualTo("nosuchhost");
            assertThat(result.transmitted()).isZero();
            assertThat(result.received()).isZero();
            assertThat(result.rttAvgMs()).isEmpty();
            assertThat(result.output()).contains("bad address");
        }
    }

    @Nested
    class Iputils {

        @Test
        void allAnswered() {
            PingResult result = PingOutput.parse("127.0.0.1", """
                    PING 127.0.0.1 (127.0.0.1) 56(84) bytes of data.
                    64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=0.062 ms
                    64 bytes from 127.0.0.1: icmp_seq=2 ttl=64 time=0.044 ms
                    64 bytes from 127.0.0.1: icmp_seq=3 ttl=64 time=0.043 ms

                    --- 127.0.0.1 ping statistics ---
                    3 packets transmitted, 3 received, 0% packet loss, time 2044ms
                    rtt min/avg/max/mdev = 0.043/0.049/0.062/0.008 ms
                    """);

            assertThat(result.transmitted()).isEqualTo(3);
            assertThat(result.received()).isEqualTo(3);
            assertThat(result.rttMinMs()).isEqualTo(OptionalDouble.of(0.043));
            assertThat(result.rttAvgMs()).isEqualTo(OptionalDouble.of(0.049));
            assertThat(result.rttMaxMs()).isEqualTo(OptionalDouble.of(0.062));
            assertThat(result.lossPercent()).isZero();
        }

        @Test
        void halfAnswered() {
            PingResult result = PingOutput.parse("127.0.0.1", """
                    PING 127.0.0.1 (127.0.0.1) 56(84) bytes of data.
                    64 bytes from 127.0.0.1: icmp_seq=2 ttl=64 time=0.052 ms
                    64 bytes from 127.0.0.1: icmp_seq=4 ttl=64 time=0.076 ms

                    --- 127.0.0.1 ping statistics ---
                    4 packets transmitted, 2 received, 50% packet loss, time 3067ms
                    rtt min/avg/max/mdev = 0.052/0.064/0.076/0.012 ms
                    """);

            assertThat(result.transmitted()).isEqualTo(4);
            assertThat(result.received()).isEqualTo(2);
            assertThat(result.lossPercent()).isEqualTo(50.0);
            assertThat(result.rttMaxMs()).isEqualTo(OptionalDouble.of(0.076));
        }

        @Test
        void noneAnsweredHasNoRoundTripLine() {
            PingResult result = PingOutput.parse("127.0.0.1", """
                    PING 127.0.0.1 (127.0.0.1) 56(84) bytes of data.

                    --- 127.0.0.1 ping statistics ---
                    3 packets transmitted, 0 received, 100% packet loss, time 2038ms

                    """);

            assertThat(result.transmitted()).isEqualTo(3);
            assertThat(result.received()).isZero();
            assertThat(result.rttAvgMs()).isEmpty();
            assertThat(result.reachable()).isFalse();
        }

        @Test
        void errorsAreNotReplies() {
            PingResult result = PingOutput.parse("127.0.0.1", """
                    PING 127.0.0.1 (127.0.0.1) 56(84) bytes of data.
                    From 127.0.0.1 icmp_seq=1 Destination Host Unreachable
                    From 127.0.0.1 icmp_seq=2 Destination Host Unreachable
                    From 127.0.0.1 icmp_seq=3 Destination Host Unreachable

                    --- 127.0.0.1 ping statistics ---
                    3 packets transmitted, 0 received, +3 errors, 100% packet loss, time 2038ms

                    """);

            assertThat(result.transmitted()).isEqualTo(3);
            assertThat(result.received()).isZero();
            assertThat(result.rttMinMs()).isEmpty();
            assertThat(result.lossPercent()).isEqualTo(100.0);
        }

        @Test
        void networkUnreachable() {
            PingResult result = PingOutput.parse("127.0.0.1", "ping: connect: Network is unreachable\n");

            assertThat(result.transmitted()).isZero();
            assertThat(result.received()).isZero();
            assertThat(result.reachable()).isFalse();
        }

        @Test
        void unknownName() {
            PingResult result = PingOutput.parse("nosuchhost", "ping: nosuchhost: Temporary failure in name resolution\n");

            assertThat(result.transmitted()).isZero();
            assertThat(result.output()).contains("Temporary failure in name resolution");
        }
    }

    @Test
    void nothingAtAll() {
        assertThat(PingOutput.parse("10.0.0.1", "")).satisfies(result -> {
            assertThat(result.transmitted()).isZero();
            assertThat(result.received()).isZero();
            assertThat(result.output()).isEmpty();
        });
        assertThat(PingOutput.parse("10.0.0.1", null).output()).isEmpty();
    }

    @Test
    void aGuestWithoutPingIsAnErrorNamingThePackageNotAnUnansweredPing() {
        ExecResult missing = new ExecResult("ping -c 2 -W 1 10.0.0.1", 127, "", "bash: line 1: ping: command not found\n",
                Duration.ZERO);

        assertThatThrownBy(() -> PingOutput.parse("vu-r", "10.0.0.1", missing))
                .isInstanceOf(VirtunitException.class)
                .hasMessage("guest vu-r has no ping command (bash: line 1: ping: command not found); install it in the "
                        + "image: Debian and Ubuntu package iputils-ping, Fedora iputils, busybox has one too");
        // Any other exit (1: no reply) is ping's own answer, read from both outputs.
        ExecResult unanswered = new ExecResult("ping", 1, "2 packets transmitted, 0 received, 100% packet loss\n",
                "", Duration.ZERO);
        assertThat(PingOutput.parse("vu-r", "10.0.0.1", unanswered).transmitted()).isEqualTo(2);
    }
}
