package dev.virtunit.assertions;

import dev.virtunit.observe.PingResult;
import dev.virtunit.internal.ssh.PingOutput;
import org.junit.jupiter.api.Test;

import static dev.virtunit.assertions.VirtunitAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PingResultAssertTest {

    private static final String ALL_ANSWERED_OUTPUT = """
            PING 10.0.0.2 (10.0.0.2): 56 data bytes
            64 bytes from 10.0.0.2: seq=0 ttl=64 time=0.090 ms
            64 bytes from 10.0.0.2: seq=1 ttl=64 time=0.086 ms
            64 bytes from 10.0.0.2: seq=2 ttl=64 time=0.106 ms

            --- 10.0.0.2 ping statistics ---
            3 packets transmitted, 3 packets received, 0% packet loss
            round-trip min/avg/max = 0.086/0.094/0.106 ms
            """;
    private static final PingResult ALL_ANSWERED = PingOutput.parse("10.0.0.2", ALL_ANSWERED_OUTPUT);

    private static final PingResult HALF_ANSWERED = PingOutput.parse("10.0.0.2", """
            PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.
            64 bytes from 10.0.0.2: icmp_seq=2 ttl=64 time=0.052 ms
            64 bytes from 10.0.0.2: icmp_seq=4 ttl=64 time=0.076 ms

            --- 10.0.0.2 ping statistics ---
            4 packets transmitted, 2 received, 50% packet loss, time 3067ms
            rtt min/avg/max/mdev = 0.052/0.064/0.076/0.012 ms
            """);

    private static final PingResult REJECTED = PingOutput.parse("10.0.0.9", """
            PING 10.0.0.9 (10.0.0.9) 56(84) bytes of data.
            From 10.0.0.1 icmp_seq=1 Destination Host Unreachable
            From 10.0.0.1 icmp_seq=2 Destination Host Unreachable
            From 10.0.0.1 icmp_seq=3 Destination Host Unreachable

            --- 10.0.0.9 ping statistics ---
            3 packets transmitted, 0 received, +3 errors, 100% packet loss, time 2038ms

            """);

    private static final PingResult BAD_ADDRESS = PingOutput.parse("nosuchhost", "ping: bad address 'nosuchhost'\n");

    @Test
    void passingAssertionsChain() {
        assertThat(ALL_ANSWERED).isReachable().hasNoLoss().hasLossAtMost(0).receivedAtLeast(3);
        assertThat(HALF_ANSWERED).isReachable().hasLossAtMost(50).receivedAtLeast(2);
        assertThat(REJECTED).isUnreachable().hasLossAtMost(100);
        assertThat(BAD_ADDRESS).isUnreachable();
    }

    @Test
    void isReachableShowsPingsWholeOutput() {
        assertThatThrownBy(() -> assertThat(REJECTED).isReachable())
                .isInstanceOf(AssertionError.class)
                .hasMessage("""
                        Expecting 10.0.0.9 to answer ping, but ping got 0 replies to 3 echo requests (100% loss). ping said:
                          PING 10.0.0.9 (10.0.0.9) 56(84) bytes of data.
                          From 10.0.0.1 icmp_seq=1 Destination Host Unreachable
                          From 10.0.0.1 icmp_seq=2 Destination Host Unreachable
                          From 10.0.0.1 icmp_seq=3 Destination Host Unreachable

                          --- 10.0.0.9 ping statistics ---
                          3 packets transmitted, 0 received, +3 errors, 100% packet loss, time 2038ms""");
    }

    @Test
    void isReachableWhenPingSentNothing() {
        assertThatThrownBy(() -> assertThat(BAD_ADDRESS).isReachable())
                .hasMessage("Expecting nosuchhost to answer ping, but ping sent no echo request. ping said:\n"
                        + "  ping: bad address 'nosuchhost'");
    }

    @Test
    void isUnreachable() {
        assertThatThrownBy(() -> assertThat(ALL_ANSWERED).isUnreachable())
                .hasMessage("Expecting 10.0.0.2 not to answer ping, but ping got 3 replies to 3 echo requests "
                        + "(0% loss). ping said:\n" + indented(ALL_ANSWERED_OUTPUT));
    }

    @Test
    void hasNoLoss() {
        assertThatThrownBy(() -> assertThat(HALF_ANSWERED).hasNoLoss())
                .hasMessageStartingWith("Expecting no packet loss pinging 10.0.0.2, but ping got 2 replies to 4 echo "
                        + "requests (50% loss). ping said:\n  PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.\n");
        assertThatThrownBy(() -> assertThat(BAD_ADDRESS).hasNoLoss())
                .hasMessageStartingWith("Expecting no packet loss pinging nosuchhost, but ping sent no echo request.");
    }

    @Test
    void hasLossAtMost() {
        assertThatThrownBy(() -> assertThat(HALF_ANSWERED).hasLossAtMost(33.3))
                .hasMessageStartingWith("Expecting at most 33.3% packet loss pinging 10.0.0.2, but ping got 2 replies "
                        + "to 4 echo requests (50% loss). ping said:\n");
        assertThatThrownBy(() -> assertThat(HALF_ANSWERED).hasLossAtMost(101))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("packet loss is a percentage from 0 to 100, got 101.0");
    }

    @Test
    void receivedAtLeast() {
        PingResult oneOfThree = PingOutput.parse("10.0.0.2", "3 packets transmitted, 1 received, 66.6667% packet loss");

        assertThatThrownBy(() -> assertThat(oneOfThree).receivedAtLeast(2))
                .hasMessage("Expecting at least 2 replies from 10.0.0.2, but ping got 1 reply to 3 echo requests "
                        + "(66.7% loss). ping said:\n  3 packets transmitted, 1 received, 66.6667% packet loss");
    }

    @Test
    void emptyOutputIsSaidToBeEmpty() {
        assertThatThrownBy(() -> assertThat(PingOutput.parse("10.0.0.2", "")).isReachable())
                .hasMessage("Expecting 10.0.0.2 to answer ping, but ping sent no echo request. ping said:\n  (nothing)");
    }

    private static String indented(String output) {
        return output.stripTrailing().lines().map(line -> line.isEmpty() ? "" : "  " + line)
                .reduce((a, b) -> a + "\n" + b).orElse("");
    }
}
