package dev.virtunit.internal.lab;

import dev.virtunit.VirtunitException;
import dev.virtunit.internal.text.ShellQuoting;

import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sends one UDP datagram from inside a guest (the probe behind {@code sourceSeenFrom}/{@code appearsToUpstreamAs}),
 * with whatever the guest has: bash's {@code /dev/udp/HOST/PORT} redirection (any stock distribution), else a netcat
 * that speaks UDP ({@code nc -u}), else busybox's {@code tftp} (the tiny image), whose read request is one plain
 * datagram. Which one is found once per guest, with {@code command -v}.
 */
final class GuestUdpProbe {

    /** The tools in the order tried; one SSH round trip names the first the guest has. */
    enum Tool {
        BASH, NC, TFTP, NONE
    }

    /** busybox's nc has no {@code -u}; those that have it list it in their help. */
    static final String FIND_TOOL = "if command -v bash >/dev/null 2>&1; then echo BASH; "
            + "elif command -v nc >/dev/null 2>&1 && nc -h 2>&1 | grep -q -e -u; then echo NC; "
            + "elif command -v tftp >/dev/null 2>&1; then echo TFTP; else echo NONE; fi";

    private final Map<String, Tool> toolOfGuest = new ConcurrentHashMap<>();

    /**
     * Sends a datagram to {@code address:port} from guest {@code guest} (its name keys the tool found).
     *
     * @throws VirtunitException when the guest has none of the tools, naming them and the packages that have them
     */
    void send(String guest, GuestShell shell, String address, int port, Duration timeout) {
        Tool tool = toolOfGuest.computeIfAbsent(guest, name -> find(shell));
        if (tool == Tool.NONE) {
            toolOfGuest.remove(guest);   // the test may install one and try again
            throw new VirtunitException("guest " + guest + " cannot send the UDP probe: it has none of bash (its "
                    + "/dev/udp redirection), a netcat with -u, or tftp; install one in the image, e.g. the Debian "
                    + "package bash or netcat-openbsd");
        }
        shell.exec(command(tool, address, port), timeout.plusSeconds(10));
    }

    private static Tool find(GuestShell shell) {
        // the last line: a shell that prints a banner even when not interactive puts it first
        String named = shell.exec(FIND_TOOL, Duration.ofSeconds(20)).stdout().strip().lines().reduce("", (a, b) -> b);
        try {
            return Tool.valueOf(named);
        } catch (IllegalArgumentException e) {
            throw new VirtunitException("finding a UDP tool in the guest printed '" + named + "', not one of "
                    + Arrays.toString(Tool.values()) + "; check what the guest's shell prints", e);
        }
    }

    /**
     * The command that sends one datagram with {@code tool}; never fails, bounded where a tool could wait. netcat and
     * tftp go on waiting for an answer after the datagram left (tftp for a TFTP reply that never comes: 2 s every
     * probe), so they run in the background, detached from the SSH channel: the caller waits for the datagram where
     * it arrives, not for the tool.
     */
    static String command(Tool tool, String address, int port) {
        String host = ShellQuoting.quote(address);
        String portText = Integer.toString(port);
        return switch (tool) {
            // bash -c: the login shell may be dash or sh, which have no /dev/udp
            case BASH -> "bash -c " + ShellQuoting.quote("echo probe >/dev/udp/" + address + "/" + port) + " 2>/dev/null; true";
            case NC -> detached("echo probe | timeout 2 nc -u -w 1 " + host + " " + portText);
            // the echo service's answer is no TFTP, so tftp gives up; timeout bounds it where no answer comes back
            case TFTP -> detached("timeout 2 tftp -g -r probe -l /dev/null " + host + " " + portText);
            case NONE -> throw new IllegalArgumentException("no tool to send with");
        };
    }

    /** {@code command} in the background with no descriptor of the SSH channel, so the channel closes at once. */
    private static String detached(String command) {
        return "({ " + command + "; } </dev/null >/dev/null 2>&1 &); true";
    }
}
