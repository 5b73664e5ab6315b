package dev.virtunit.observe;

import java.util.OptionalDouble;

/**
 * The parsed summary of a {@code ping}: how many echo requests went out, how many replies came back, and the
 * round-trip times.
 *
 * @param target      what was pinged
 * @param transmitted echo requests sent
 * @param received    echo replies received
 * @param rttMinMs    fastest round trip in milliseconds; empty when no reply came
 * @param rttAvgMs    average round trip in milliseconds; empty when no reply came
 * @param rttMaxMs    slowest round trip in milliseconds; empty when no reply came
 * @param output      ping's own output, for failure messages
 * @since 0.1
 */
public record PingResult(String target, int transmitted, int received, OptionalDouble rttMinMs, OptionalDouble rttAvgMs,
                         OptionalDouble rttMaxMs, String output) {

    /** {@return packet loss in percent, 0 to 100} */
    public double lossPercent() {
        return transmitted == 0 ? 100.0 : 100.0 * (transmitted - received) / transmitted;
    }

    /** {@return whether at least one reply came back} */
    public boolean reachable() {
        return received > 0;
    }
}
