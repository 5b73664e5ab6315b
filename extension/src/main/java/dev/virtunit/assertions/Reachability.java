package dev.virtunit.assertions;

import dev.virtunit.Guest;
import dev.virtunit.observe.PingResult;
import dev.virtunit.Upstream;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A reachability matrix: which guest may reach what, and what source address an upstream host sees. {@link #verify()}
 * checks every expectation (pings from inside the guests, a UDP probe for what an upstream sees) and, if any fails,
 * fails with the whole matrix, expected against observed, so one run shows the full picture.
 * <pre>{@code
 * Reachability.matrix()
 *     .allow(a, b).deny(a, c)
 *     .allow(a, internet).seenAs(internet.hostAddress())
 *     .verify();
 * }</pre>
 *
 * @since 0.1
 */
public final class Reachability {

    private final List<Expectation> expectations = new ArrayList<>();

    private Reachability() {
    }

    /**
     * Starts an empty matrix: add expectations with {@code allow}/{@code deny}, then {@link #verify()}.
     *
     * @return a new matrix with no expectations
     */
    public static Reachability matrix() {
        return new Reachability();
    }

    private record Expectation(Guest from, String toName, String toAddress, boolean allowed, Upstream upstream,
                               String seenAs) {
    }

    private record Observation(Expectation expected, boolean reached, Optional<String> seen, String detail) {

        boolean holds() {
            boolean sourceOk = expected.seenAs() == null || seen.map(expected.seenAs()::equals).orElse(false);
            return reached == expected.allowed() && sourceOk;
        }
    }

    /**
     * Expects {@code from} to reach {@code to}: at least one of 2 pings to its first address answered.
     *
     * @param from the guest that pings
     * @param to the guest pinged
     * @return this matrix, for chaining
     */
    public Reachability allow(Guest from, Guest to) {
        return add(from, to.name(), to.address(), true, null);
    }

    /**
     * Expects {@code from} not to reach {@code to}: none of 2 pings to its first address answered.
     *
     * @param from the guest that pings
     * @param to the guest pinged
     * @return this matrix, for chaining
     */
    public Reachability deny(Guest from, Guest to) {
        return add(from, to.name(), to.address(), false, null);
    }

    /**
     * Expects {@code from} to reach the upstream host; follow with {@link #seenAs(String)} to check the source it sees.
     *
     * @param from the guest that pings
     * @param to the upstream host pinged
     * @return this matrix, for chaining
     */
    public Reachability allow(Guest from, Upstream to) {
        return add(from, "upstream " + to.name(), to.address(), true, to);
    }

    /**
     * Expects {@code from} not to reach the upstream host.
     *
     * @param from the guest that pings
     * @param to the upstream host pinged
     * @return this matrix, for chaining
     */
    public Reachability deny(Guest from, Upstream to) {
        return add(from, "upstream " + to.name(), to.address(), false, to);
    }

    /**
     * Expects {@code from} to reach an address given by itself, e.g. a bridge's gateway.
     *
     * @param from    the guest that pings
     * @param address the address pinged, as {@code ping} takes it
     * @return this matrix, for chaining
     */
    public Reachability allow(Guest from, String address) {
        return add(from, address, address, true, null);
    }

    /**
     * Expects {@code from} not to reach {@code address}.
     *
     * @param from    the guest that pings
     * @param address the address pinged, as {@code ping} takes it
     * @return this matrix, for chaining
     */
    public Reachability deny(Guest from, String address) {
        return add(from, address, address, false, null);
    }

    /**
     * The last expectation's upstream must see the guest's traffic come from {@code source}.
     *
     * @param source the source address the upstream must see, dotted
     * @return this matrix, for chaining
     * @throws IllegalStateException if the last expectation is not {@code allow(guest, upstream)}
     */
    public Reachability seenAs(String source) {
        Expectation last = expectations.remove(expectations.size() - 1);
        if (last.upstream() == null) {
            throw new IllegalStateException("seenAs follows allow(guest, upstream): only an upstream reports sources");
        }
        expectations.add(new Expectation(last.from(), last.toName(), last.toAddress(), last.allowed(), last.upstream(), source));
        return this;
    }

    private Reachability add(Guest from, String name, String address, boolean allowed, Upstream upstream) {
        expectations.add(new Expectation(from, name, address, allowed, upstream, null));
        return this;
    }

    /** Checks every expectation; throws {@link AssertionError} with the whole matrix if any does not hold. */
    public void verify() {
        List<Observation> observations = new ArrayList<>();
        for (Expectation expected : expectations) {
            PingResult ping = expected.from().ping(expected.toAddress(), 2);
            Optional<String> seen = expected.upstream() == null ? Optional.empty()
                    : expected.upstream().sourceSeenFrom(expected.from(), Duration.ofSeconds(4));
            observations.add(new Observation(expected, ping.reachable(), seen,
                    ping.received() + "/" + ping.transmitted() + " replies"));
        }
        if (observations.stream().allMatch(Observation::holds)) {
            return;
        }
        throw new AssertionError("reachability matrix does not hold, every expectation with what was observed:\n" + render(observations));
    }

    private static String render(List<Observation> observations) {
        StringBuilder text = new StringBuilder();
        for (Observation o : observations) {
            Expectation e = o.expected();
            text.append(o.holds() ? "  ok    " : "  FAIL  ").append(e.from().name()).append(" -> ").append(e.toName())
                    .append(" (").append(e.toAddress()).append("): expected ").append(e.allowed() ? "reachable" : "unreachable")
                    .append(e.seenAs() == null ? "" : ", seen as " + e.seenAs()).append("; observed ")
                    .append(o.reached() ? "reachable" : "unreachable").append(" (").append(o.detail()).append(")")
                    .append(e.upstream() == null ? "" : ", upstream saw " + o.seen().orElse("nothing")).append('\n');
        }
        return text.toString();
    }
}
