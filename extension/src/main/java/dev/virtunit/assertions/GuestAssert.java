package dev.virtunit.assertions;

import dev.virtunit.Guest;
import dev.virtunit.observe.GuestState;
import dev.virtunit.observe.PingResult;
import dev.virtunit.Upstream;
import org.assertj.core.api.AbstractAssert;

import java.time.Duration;
import java.util.Optional;

/**
 * Assertions on a live guest: its state, and what it can reach. Reachability is tested from inside the guest with
 * ping; a failure shows the guest's whole ping output.
 *
 * @since 0.1
 */
public class GuestAssert extends AbstractAssert<GuestAssert, Guest> {

    /**
     * Creates an assertion on {@code actual}; {@link VirtunitAssertions#assertThat(Guest)} is the usual way.
     *
     * @param actual the guest to check; null fails every check
     */
    public GuestAssert(Guest actual) {
        super(actual, GuestAssert.class);
    }

    /**
     * Verifies that the guest runs (RUNNING or BLOCKED, an idle running guest).
     *
     * @return this assertion, for chaining
     */
    public GuestAssert isRunning() {
        isNotNull();
        GuestState state = actual.state();
        if (!state.isActive()) {
            failWithMessage("expected guest %s to be running, but it is %s", actual.name(), state);
        }
        return this;
    }

    /**
     * Verifies that the guest is in {@code expected} state now ({@code virsh domstate}).
     *
     * @param expected the state it must be in
     * @return this assertion, for chaining
     */
    public GuestAssert hasState(GuestState expected) {
        isNotNull();
        GuestState state = actual.state();
        if (state != expected) {
            failWithMessage("expected guest %s to be %s, but it is %s", actual.name(), expected, state);
        }
        return this;
    }

    /**
     * Verifies that at least one of 3 pings from the guest to {@code target} is answered.
     *
     * @return this assertion, for chaining
     * @param target an address or host name, as {@code ping} takes it
     */
    public GuestAssert canPing(String target) {
        isNotNull();
        PingResult result = actual.ping(target);
        if (!result.reachable()) {
            failWithMessage("expected guest %s to reach %s, but no ping was answered (%d sent). ping said:%n%s",
                    actual.name(), target, result.transmitted(), result.output().strip());
        }
        return this;
    }

    /**
     * Same as {@link #canPing(String)}.
     *
     * @return this assertion, for chaining
     * @param target an address or host name, as {@code ping} takes it
     */
    public GuestAssert canReach(String target) {
        return canPing(target);
    }

    /**
     * Verifies that the guest can ping the other guest's first address.
     *
     * @return this assertion, for chaining
     * @param other the guest to ping
     */
    public GuestAssert canReach(Guest other) {
        return canPing(other.address());
    }

    /**
     * Verifies that the guest can ping the upstream host.
     *
     * @return this assertion, for chaining
     * @param upstream the upstream host to ping
     */
    public GuestAssert canReach(Upstream upstream) {
        return canPing(upstream.address());
    }

    /**
     * Verifies that none of 2 pings from the guest to {@code target} is answered.
     *
     * @return this assertion, for chaining
     * @param target an address or host name, as {@code ping} takes it
     */
    public GuestAssert cannotReach(String target) {
        isNotNull();
        PingResult result = actual.ping(target, 2);
        if (result.reachable()) {
            failWithMessage("expected guest %s not to reach %s, but %d of %d pings were answered. ping said:%n%s",
                    actual.name(), target, result.received(), result.transmitted(), result.output().strip());
        }
        return this;
    }

    /**
     * Verifies that none of 2 pings from the guest to the other guest's first address is answered.
     *
     * @param other the guest that must not answer
     * @return this assertion, for chaining
     */
    public GuestAssert cannotReach(Guest other) {
        return cannotReach(other.address());
    }

    /**
     * Verifies that none of 2 pings from the guest to the upstream host is answered.
     *
     * @param upstream the upstream host that must not answer
     * @return this assertion, for chaining
     */
    public GuestAssert cannotReach(Upstream upstream) {
        return cannotReach(upstream.address());
    }

    /**
     * The upstream sees this guest's traffic come from {@code expectedSource}: the host's uplink address when NAT
     * works, the guest's own address when it does not.
     *
     * @param upstream the upstream host whose echo service the guest sends a datagram to
     * @param expectedSource the source address the upstream must see, dotted
     * @return this assertion, for chaining
     */
    public GuestAssert appearsToUpstreamAs(Upstream upstream, String expectedSource) {
        isNotNull();
        Optional<String> seen = upstream.sourceSeenFrom(actual, Duration.ofSeconds(5));
        if (seen.isEmpty()) {
            failWithMessage("expected upstream %s to see guest %s as %s, but no datagram from the guest arrived",
                    upstream.address(), actual.name(), expectedSource);
        } else if (!seen.get().equals(expectedSource)) {
            failWithMessage("expected upstream %s to see guest %s as %s, but it saw %s", upstream.address(),
                    actual.name(), expectedSource, seen.get());
        }
        return this;
    }
}
