package dev.virtunit.internal.ssh;

import dev.virtunit.VirtunitException;
import dev.virtunit.observe.ExecResult;
import dev.virtunit.observe.PingResult;

import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the summary of a {@code ping} run in a guest, from either ping a guest is likely to have:
 *
 * <pre>
 * busybox:  3 packets transmitted, 3 packets received, 0% packet loss
 *           round-trip min/avg/max = 0.086/0.094/0.106 ms
 * iputils:  3 packets transmitted, 3 received, +3 errors, 100% packet loss, time 2038ms
 *           rtt min/avg/max/mdev = 0.043/0.049/0.062/0.008 ms
 * </pre>
 *
 * When ping gave up before its summary ({@code ping: bad address 'x'}, {@code ping: sendto: Network is
 * unreachable}), the result has 0 transmitted and 0 received, which counts as 100% loss; the output, kept in
 * the result, says why.
 *
 * @since 0.1
 */
public final class PingOutput {

    /** "packets received" is busybox, "received" iputils; iputils may add "+N errors" or "+N duplicates" after it. */
    private static final Pattern COUNTS = Pattern.compile("(\\d+) packets transmitted, (\\d+) (?:packets )?received");

    /** "rtt min/avg/max/mdev" is iputils, "round-trip min/avg/max" busybox; only the first three matter. */
    private static final Pattern ROUND_TRIPS = Pattern.compile(
            "(?:rtt|round-trip) min/avg/max(?:/mdev)? = ([0-9.]+)/([0-9.]+)/([0-9.]+)");

    /** The exit status of a POSIX shell that found no such command. */
    private static final int COMMAND_NOT_FOUND = 127;

    private PingOutput() {
    }

    /**
     * @param target what was pinged, as given to ping
     * @param output everything ping wrote; pass stdout and stderr together, since the reason a ping gave up is on
     *               stderr
     */
    public static PingResult parse(String target, String output) {
        String text = output == null ? "" : output;
        int transmitted = 0;
        int received = 0;
        Matcher counts = COUNTS.matcher(text);
        if (counts.find()) {
            transmitted = Integer.parseInt(counts.group(1));
            received = Integer.parseInt(counts.group(2));
        }
        OptionalDouble min = OptionalDouble.empty();
        OptionalDouble avg = OptionalDouble.empty();
        OptionalDouble max = OptionalDouble.empty();
        Matcher roundTrips = ROUND_TRIPS.matcher(text);
        if (roundTrips.find()) {
            min = milliseconds(roundTrips.group(1));
            avg = milliseconds(roundTrips.group(2));
            max = milliseconds(roundTrips.group(3));
        }
        return new PingResult(target, transmitted, received, min, avg, max, text);
    }

    /**
     * What a ping run in guest {@code guest} says, both outputs together. A guest without ping (a shell's exit 127)
     * is an error naming the packages that have one, never a ping that went unanswered, which would make
     * {@code canNotReach} pass.
     *
     * @throws VirtunitException when the guest has no ping
     */
    public static PingResult parse(String guest, String target, ExecResult run) {
        if (run.exitCode() == COMMAND_NOT_FOUND) {
            throw new VirtunitException("guest " + guest + " has no ping command (" + (run.stdout() + run.stderr()).strip()
                    + "); install it in the image: Debian and Ubuntu package iputils-ping, Fedora iputils, busybox has "
                    + "one too");
        }
        return parse(target, run.stdout() + run.stderr());
    }

    private static OptionalDouble milliseconds(String number) {
        try {
            return OptionalDouble.of(Double.parseDouble(number));
        } catch (NumberFormatException e) {
            // "[0-9.]+" also matches "1.2.3"; no ping prints that, but a garbled line must not break parsing.
            return OptionalDouble.empty();
        }
    }
}
