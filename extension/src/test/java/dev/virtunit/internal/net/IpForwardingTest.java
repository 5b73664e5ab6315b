package dev.virtunit.internal.net;

import dev.virtunit.internal.host.RecordingHostCommands;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Through a fake host: what is read and written, and when. */
class IpForwardingTest {

    private static final List<String> READ = List.of("sysctl", "-n", "net.ipv4.ip_forward");
    private static final String ON = "sysctl -q -w net.ipv4.ip_forward=1";
    private static final String OFF = "sysctl -q -w net.ipv4.ip_forward=0";

    private final RecordingHostCommands host = new RecordingHostCommands();
    private final IpForwarding forwarding = new IpForwarding(new Sysctls(host));

    @Test
    void onAtTheFirstLeaseThenRestoredAfterTheLast() {
        host.answer(READ, "0\n");

        IpForwarding.Lease first = forwarding.acquire();
        assertThat(host.rendered()).containsExactly("sysctl -n net.ipv4.ip_forward", ON);
        IpForwarding.Lease second = forwarding.acquire();
        first.close();
        first.close();
        assertThat(forwarding.holders()).as("closing twice counts once").isEqualTo(1);
        assertThat(host.rendered()).as("still held by the second lease").doesNotContain(OFF);
        second.close();

        assertThat(host.rendered()).containsExactly("sysctl -n net.ipv4.ip_forward", ON, OFF);
        assertThat(forwarding.holders()).isZero();
    }

    @Test
    void untouchedWhenItWasAlreadyOn() {
        host.answer(READ, "1\n");

        forwarding.acquire().close();

        assertThat(host.rendered()).containsExactly("sysctl -n net.ipv4.ip_forward");
    }

    @Test
    void aNewRoundReadsTheValueAgain() {
        host.answer(READ, "0\n");
        forwarding.acquire().close();
        host.answer(READ, "1\n"); // someone else switched it on in between

        forwarding.acquire().close();

        assertThat(host.rendered()).containsExactly("sysctl -n net.ipv4.ip_forward", ON, OFF,
                "sysctl -n net.ipv4.ip_forward");
    }

    @Test
    void aFailedSwitchSaysRootIsNeededAndHoldsNothing() {
        host.answer(READ, "0\n");
        host.answer(List.of("sysctl", "-q", "-w"), 255, "", "sysctl: permission denied on key \"net.ipv4.ip_forward\"");

        assertThatThrownBy(forwarding::acquire)
                .hasMessageStartingWith("cannot set IP forwarding to 1 (virtunit must run as root")
                .hasMessageContaining("permission denied");
        assertThat(forwarding.holders()).isZero();
    }
}
