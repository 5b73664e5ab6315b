package dev.virtunit.internal.lab;

import dev.virtunit.VirtunitException;
import dev.virtunit.observe.ExecResult;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The UDP probe picks what the guest has, once per guest, and names the packages when it has nothing. */
class GuestUdpProbeTest {

    private final List<String> ran = new ArrayList<>();

    private GuestShell guestWith(String tool) {
        return (command, timeout) -> {
            ran.add(command);
            return new ExecResult(command, 0, command.equals(GuestUdpProbe.FIND_TOOL) ? tool + "\n" : "", "",
                    Duration.ZERO);
        };
    }

    @Test
    void aStockImageSendsWithBashAndTheToolIsFoundOnce() {
        GuestUdpProbe probe = new GuestUdpProbe();
        GuestShell debian = guestWith("BASH");

        probe.send("vu-a", debian, "10.99.0.2", 7777, Duration.ofSeconds(5));
        probe.send("vu-a", debian, "10.99.0.2", 7777, Duration.ofSeconds(5));

        String send = "bash -c 'echo probe >/dev/udp/10.99.0.2/7777' 2>/dev/null; true";
        assertThat(ran).containsExactly(GuestUdpProbe.FIND_TOOL, send, send);
    }

    @Test
    void netcatThenBusyboxTftpWhereThereIsNoBash() {
        new GuestUdpProbe().send("vu-nc", guestWith("NC"), "10.99.0.2", 7777, Duration.ofSeconds(5));
        new GuestUdpProbe().send("vu-tiny", guestWith("TFTP"), "10.99.0.2", 7777, Duration.ofSeconds(5));

        assertThat(ran).containsExactly(
                GuestUdpProbe.FIND_TOOL, "({ echo probe | timeout 2 nc -u -w 1 10.99.0.2 7777; } </dev/null >/dev/null 2>&1 &); true",
                GuestUdpProbe.FIND_TOOL, "({ timeout 2 tftp -g -r probe -l /dev/null 10.99.0.2 7777; } </dev/null >/dev/null 2>&1 &); true");
        // bash first, then a netcat whose help lists -u (busybox's nc has no UDP), then tftp
        assertThat(GuestUdpProbe.FIND_TOOL).containsSubsequence("command -v bash", "nc -h 2>&1 | grep -q -e -u",
                "command -v tftp");
    }

    @Test
    void aGuestWithNoToolGetsAnErrorNamingToolsAndPackagesAndIsAskedAgainNextTime() {
        GuestUdpProbe probe = new GuestUdpProbe();

        for (int attempt = 0; attempt < 2; attempt++) {
            assertThatThrownBy(() -> probe.send("vu-bare", guestWith("NONE"), "10.99.0.2", 7777, Duration.ofSeconds(5)))
                    .isInstanceOf(VirtunitException.class)
                    .hasMessage("guest vu-bare cannot send the UDP probe: it has none of bash (its /dev/udp redirection), "
                            + "a netcat with -u, or tftp; install one in the image, e.g. the Debian package bash or "
                            + "netcat-openbsd");
        }
        assertThat(ran).containsExactly(GuestUdpProbe.FIND_TOOL, GuestUdpProbe.FIND_TOOL);
    }

    @Test
    void aBannerBeforeTheAnswerIsSkippedAndNoAnswerIsReported() {
        new GuestUdpProbe().send("vu-motd", guestWith("Welcome!\nBASH"), "10.99.0.2", 7, Duration.ofSeconds(1));
        assertThat(ran).last().asString().startsWith("bash -c");
        assertThatThrownBy(() -> new GuestUdpProbe().send("vu-x", guestWith("Welcome!"), "10.99.0.2", 7, Duration.ofSeconds(1)))
                .hasMessage("finding a UDP tool in the guest printed 'Welcome!', not one of [BASH, NC, TFTP, NONE]; "
                        + "check what the guest's shell prints");
    }
}
