package dev.virtunit.assertions;

import dev.virtunit.Guest;
import dev.virtunit.observe.GuestState;
import dev.virtunit.observe.PingResult;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.util.OptionalDouble;

import static dev.virtunit.assertions.VirtunitAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GuestAssertTest {

    private static final String SILENT = "PING 10.0.0.9 (10.0.0.9): 56 data bytes\n\n--- 10.0.0.9 ping statistics ---\n"
            + "2 packets transmitted, 0 packets received, 100% packet loss\n";

    /** A guest whose pings get {@code received} replies and whose state is {@code state}. */
    private static Guest guest(int received, GuestState state) {
        return (Guest) Proxy.newProxyInstance(Guest.class.getClassLoader(), new Class<?>[] {Guest.class}, (proxy, method, args) ->
                switch (method.getName()) {
                    case "name" -> "vu-1-router";
                    case "state" -> state;
                    case "ping" -> new PingResult((String) args[0], args.length > 1 ? (int) args[1] : 3, received,
                            OptionalDouble.empty(), OptionalDouble.empty(), OptionalDouble.empty(), SILENT);
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void canPingPassesWithAReplyAndShowsPingsOutputWithout() {
        assertThatCode(() -> assertThat(guest(1, GuestState.RUNNING)).canPing("10.0.0.9")).doesNotThrowAnyException();

        assertThatThrownBy(() -> assertThat(guest(0, GuestState.RUNNING)).canReach("10.0.0.9"))
                .isInstanceOf(AssertionError.class)
                .hasMessage("expected guest vu-1-router to reach 10.0.0.9, but no ping was answered (3 sent). ping said:%n%s",
                        SILENT.strip());
    }

    @Test
    void cannotReachFailsWhenARepliesComeBack() {
        assertThatCode(() -> assertThat(guest(0, GuestState.RUNNING)).cannotReach("10.0.0.9")).doesNotThrowAnyException();

        assertThatThrownBy(() -> assertThat(guest(2, GuestState.RUNNING)).cannotReach("10.0.0.9"))
                .hasMessageStartingWith("expected guest vu-1-router not to reach 10.0.0.9, but 2 of 2 pings were answered.");
    }

    @Test
    void stateAssertionsNameTheState() {
        assertThatCode(() -> assertThat(guest(0, GuestState.BLOCKED)).isRunning()).doesNotThrowAnyException();
        assertThatThrownBy(() -> assertThat(guest(0, GuestState.PAUSED)).isRunning())
                .hasMessage("expected guest vu-1-router to be running, but it is PAUSED");
        assertThatThrownBy(() -> assertThat(guest(0, GuestState.RUNNING)).hasState(GuestState.SHUT_OFF))
                .hasMessage("expected guest vu-1-router to be SHUT_OFF, but it is RUNNING");
    }
}
