package dev.virtunit.assertions;

import dev.virtunit.Guest;
import dev.virtunit.observe.ExecResult;
import dev.virtunit.observe.PingResult;

/**
 * Entry point for virtunit's AssertJ assertions, whose failure messages show what the guest answered:
 *
 * <pre>{@code
 * import static dev.virtunit.assertions.VirtunitAssertions.assertThat;
 * import static org.assertj.core.api.Assertions.assertThat; // both can be imported together
 *
 * assertThat(router.ssh().exec("ip -br addr")).succeeded().stdoutContains("10.0.0.1/24");
 * assertThat(client.ping("10.0.0.1")).isReachable().hasNoLoss();
 * }</pre>
 *
 * <p>It deliberately does not extend {@code org.assertj.core.api.Assertions}: each method here takes a virtunit
 * type, so Java picks it over AssertJ's {@code assertThat(Object)} and the two static imports never clash. One
 * {@code assertThat} per virtunit type.
 *
 * @since 0.1
 */
public final class VirtunitAssertions {

    private VirtunitAssertions() {
    }

    /**
     * {@return assertions on what a command run in a guest did}
     *
     * @param actual the result of {@link dev.virtunit.Ssh#exec(String)}
     */
    public static ExecResultAssert assertThat(ExecResult actual) {
        return new ExecResultAssert(actual);
    }

    /**
     * {@return assertions on a live guest: state and reachability}
     *
     * @param actual the guest to check
     */
    public static GuestAssert assertThat(Guest actual) {
        return new GuestAssert(actual);
    }

    /**
     * {@return assertions on the outcome of a ping from a guest}
     *
     * @param actual the ping to check
     */
    public static PingResultAssert assertThat(PingResult actual) {
        return new PingResultAssert(actual);
    }
}
