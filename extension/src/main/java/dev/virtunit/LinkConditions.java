package dev.virtunit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a link does to the packets crossing it: a delay with jitter, a share lost, a rate limit (Linux's {@code netem}
 * for a delay; loss and rate alone work without it). Immutable; start from {@link #delay(Duration)}, {@link #loss(double)},
 * {@link #rate(long)} or {@link #none()} and add with the {@code with...} methods.
 *
 * <pre>{@code
 * try (Impairment slow = guest.link().impair(LinkConditions.delay(Duration.ofMillis(200)).withLoss(10))) { ... }
 * }</pre>
 *
 * @since 0.2
 */
public final class LinkConditions {

    private final Duration delay;
    private final Duration jitter;
    private final double lossPercent;
    private final long rateKbit;

    private LinkConditions(Duration delay, Duration jitter, double lossPercent, long rateKbit) {
        Objects.requireNonNull(delay, "delay");
        Objects.requireNonNull(jitter, "jitter");
        if (delay.isNegative() || jitter.isNegative()) {
            throw new IllegalArgumentException("link delay and jitter must not be negative (delay " + delay
                    + ", jitter " + jitter + ")");
        }
        if (!jitter.isZero() && delay.isZero()) {
            throw new IllegalArgumentException("link jitter " + jitter + " needs a delay to vary around; "
                    + "add one: LinkConditions.delay(...).withJitter(...)");
        }
        if (!(lossPercent >= 0 && lossPercent <= 100)) {
            throw new IllegalArgumentException("link loss must be a percentage from 0 to 100, not " + lossPercent);
        }
        if (rateKbit < 0) {
            throw new IllegalArgumentException("link rate must be positive kbit/s (0: unlimited), not " + rateKbit);
        }
        this.delay = delay;
        this.jitter = jitter;
        this.lossPercent = lossPercent;
        this.rateKbit = rateKbit;
    }

    /** {@return conditions that change nothing: a link as it was} */
    public static LinkConditions none() {
        return new LinkConditions(Duration.ZERO, Duration.ZERO, 0, 0);
    }

    /**
     * Every packet delayed by {@code delay}.
     *
     * @param delay the added one-way delay
     * @return the conditions, nothing else changed
     */
    public static LinkConditions delay(Duration delay) {
        return none().withDelay(delay);
    }

    /**
     * {@code percent} of the packets lost, at random.
     *
     * @param percent 0 to 100
     * @return the conditions, nothing else changed
     */
    public static LinkConditions loss(double percent) {
        return none().withLoss(percent);
    }

    /**
     * At most {@code kbitPerSecond} kbit/s; packets beyond it queue.
     *
     * @param kbitPerSecond the rate limit in kbit/s
     * @return the conditions, nothing else changed
     */
    public static LinkConditions rate(long kbitPerSecond) {
        return none().withRate(kbitPerSecond);
    }

    /**
     * A copy with every packet delayed by {@code delay}.
     *
     * @param delay the added one-way delay; zero for none
     * @return the new conditions; this one is unchanged
     */
    public LinkConditions withDelay(Duration delay) {
        return new LinkConditions(delay, jitter, lossPercent, rateKbit);
    }

    /**
     * A copy in which the delay varies by up to {@code jitter} either way.
     *
     * @param jitter the variation; zero for none
     * @return the new conditions; this one is unchanged
     */
    public LinkConditions withJitter(Duration jitter) {
        return new LinkConditions(delay, jitter, lossPercent, rateKbit);
    }

    /**
     * A copy with {@code percent} of the packets lost, at random.
     *
     * @param percent 0 to 100
     * @return the new conditions; this one is unchanged
     */
    public LinkConditions withLoss(double percent) {
        return new LinkConditions(delay, jitter, percent, rateKbit);
    }

    /**
     * A copy with the rate limited to {@code kbitPerSecond}.
     *
     * @param kbitPerSecond the rate limit in kbit/s; 0 for none
     * @return the new conditions; this one is unchanged
     */
    public LinkConditions withRate(long kbitPerSecond) {
        return new LinkConditions(delay, jitter, lossPercent, kbitPerSecond);
    }

    /** {@return the added one-way delay; zero for none} */
    public Duration delay() {
        return delay;
    }

    /** {@return how far the delay varies either way; zero for none} */
    public Duration jitter() {
        return jitter;
    }

    /** {@return the share of packets lost, 0 to 100} */
    public double lossPercent() {
        return lossPercent;
    }

    /** {@return the rate limit in kbit/s; 0 for none} */
    public long rateKbit() {
        return rateKbit;
    }

    /** {@return the {@code netem} parameters, as {@code tc} takes them: {@code [delay, 200ms, 20ms, loss, 30%]}} */
    public List<String> netemArguments() {
        List<String> args = new ArrayList<>();
        if (!delay.isZero()) {
            args.addAll(List.of("delay", micros(delay)));
            if (!jitter.isZero()) {
                args.add(micros(jitter));
            }
        }
        if (lossPercent > 0) {
            args.addAll(List.of("loss", percent(lossPercent)));
        }
        if (rateKbit > 0) {
            args.addAll(List.of("rate", rateKbit + "kbit"));
        }
        return List.copyOf(args);
    }

    private static String micros(Duration duration) {
        long micros = duration.toNanos() / 1000;
        return micros % 1000 == 0 ? micros / 1000 + "ms" : micros + "us";
    }

    private static String percent(double value) {
        return (value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value)) + "%";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LinkConditions other && delay.equals(other.delay) && jitter.equals(other.jitter)
                && Double.compare(lossPercent, other.lossPercent) == 0 && rateKbit == other.rateKbit;
    }

    @Override
    public int hashCode() {
        return Objects.hash(delay, jitter, lossPercent, rateKbit);
    }

    @Override
    public String toString() {
        List<String> args = netemArguments();
        return args.isEmpty() ? "no impairment" : "netem " + String.join(" ", args);
    }
}
