package dev.virtunit.assertions;

import dev.virtunit.observe.PingResult;
import org.assertj.core.api.AbstractAssert;

import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Assertions on a {@link PingResult}. Every failure names the target, the counts, and shows ping's whole output,
 * since that is where "Destination Host Unreachable" or "bad address" explains the numbers:
 *
 * <pre>
 * Expecting 10.0.0.2 to answer ping, but ping got 0 replies to 3 echo requests (100% loss). ping said:
 *   PING 10.0.0.2 (10.0.0.2): 56 data bytes
 *   ...
 * </pre>
 *
 * Obtain one with {@link VirtunitAssertions#assertThat(PingResult)}.
 *
 * @since 0.1
 */
public class PingResultAssert extends AbstractAssert<PingResultAssert, PingResult> {

    /**
     * Creates an assertion on {@code actual}; {@link VirtunitAssertions#assertThat(PingResult)} is the usual way.
     *
     * @param actual the ping to check; null fails every check
     */
    public PingResultAssert(PingResult actual) {
        super(actual, PingResultAssert.class);
    }

    /**
     * Verifies that at least one reply came back.
     *
     * @return this assertion, for chaining
     */
    public PingResultAssert isReachable() {
        isNotNull();
        if (!actual.reachable()) {
            fail("Expecting " + actual.target() + " to answer ping");
        }
        return myself;
    }

    /**
     * Verifies that no reply came back: what a test of a firewall rule or an isolated network wants.
     *
     * @return this assertion, for chaining
     */
    public PingResultAssert isUnreachable() {
        isNotNull();
        if (actual.reachable()) {
            fail("Expecting " + actual.target() + " not to answer ping");
        }
        return myself;
    }

    /**
     * Verifies that echo requests were sent and every one was answered.
     *
     * @return this assertion, for chaining
     */
    public PingResultAssert hasNoLoss() {
        isNotNull();
        if (actual.transmitted() == 0 || actual.received() < actual.transmitted()) {
            fail("Expecting no packet loss pinging " + actual.target());
        }
        return myself;
    }

    /**
     * Verifies that packet loss, 0 to 100, was at most {@code percent}; nothing sent counts as 100% loss.
     *
     * @return this assertion, for chaining
     * @param percent the most loss allowed, 0 to 100; anything else throws {@link IllegalArgumentException}
     */
    public PingResultAssert hasLossAtMost(double percent) {
        if (Double.isNaN(percent) || percent < 0 || percent > 100) {
            throw new IllegalArgumentException("packet loss is a percentage from 0 to 100, got " + percent);
        }
        isNotNull();
        if (actual.lossPercent() > percent) {
            fail("Expecting at most " + percent(percent) + " packet loss pinging " + actual.target());
        }
        return myself;
    }

    /**
     * Verifies that at least {@code replies} echo replies came back.
     *
     * @return this assertion, for chaining
     * @param replies the fewest replies that pass
     */
    public PingResultAssert receivedAtLeast(int replies) {
        isNotNull();
        if (actual.received() < replies) {
            fail("Expecting at least " + plural(replies, "reply", "replies") + " from " + actual.target());
        }
        return myself;
    }

    private void fail(String headline) {
        // "%s" keeps a '%' in ping's output ("100% packet loss") from being taken as a format specifier.
        failWithMessage("%s", headline + ", but " + summary(actual) + ". ping said:\n" + output(actual.output()));
    }

    private static String summary(PingResult result) {
        if (result.transmitted() == 0) {
            return "ping sent no echo request";
        }
        return "ping got " + plural(result.received(), "reply", "replies") + " to "
                + plural(result.transmitted(), "echo request", "echo requests") + " (" + percent(result.lossPercent())
                + " loss)";
    }

    private static String output(String output) {
        if (output == null || output.isBlank()) {
            return "  (nothing)";
        }
        return output.stripTrailing().lines().map(line -> line.isEmpty() ? "" : "  " + line)
                .collect(Collectors.joining("\n"));
    }

    private static String plural(int count, String one, String many) {
        return count + " " + (count == 1 ? one : many);
    }

    /** {@code 25%}, {@code 33.3%}: one decimal, and none when it is 0. */
    private static String percent(double value) {
        String text = String.format(Locale.ROOT, "%.1f", value);
        return (text.endsWith(".0") ? text.substring(0, text.length() - 2) : text) + "%";
    }
}
