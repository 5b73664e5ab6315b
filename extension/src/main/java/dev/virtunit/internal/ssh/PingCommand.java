package dev.virtunit.internal.ssh;

import dev.virtunit.Cidr;

import dev.virtunit.internal.text.ShellQuoting;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Builds the {@code ping} to run inside a guest over SSH: {@code ping -c COUNT -i 1 -W SECONDS TARGET}, which
 * busybox and iputils ping both understand. Requests go 1 s apart, ping's default. 0.2 s apart (tried for speed) put
 * all 3 requests of a reachability check inside 0.6 s, and once in CI a real-image guest just booted got no answer
 * to any of them through NAT (cause not traced: a first ARP or flow set-up that takes longer than that under load
 * would do it); 1 s apart passed every CI run before. A single request (count 1, as the benchmark's first NAT ping)
 * does not wait at all. Parse what it printed with {@link PingOutput#parse}, giving it
 * stdout and stderr together (why ping gave up, e.g. {@code ping: bad address 'x'}, is on stderr).
 *
 * <p>The command line goes through the guest's shell, so the target is checked to be an IPv4 address, an IPv6
 * address (optionally with a {@code %zone}) or a host name first, and the words are quoted with
 * {@link ShellQuoting} besides; {@link #argv} gives the same command for running without a shell.
 *
 * <pre>{@code
 * ExecResult ran = ssh.exec(PingCommand.of("10.0.0.2", 3, 1), Duration.ofSeconds(20));
 * PingResult result = PingOutput.parse("10.0.0.2", ran.stdout() + ran.stderr());
 * }</pre>
 *
 * @since 0.1
 */
public final class PingCommand {

    public static final int MAX_COUNT = 1000;
    public static final int MAX_TIMEOUT_SECONDS = 3600;
    /** Seconds between echo requests. */
    static final String INTERVAL = "1";

    private static final Pattern LOOKS_NUMERIC = Pattern.compile("[0-9.]+");
    /** RFC 1123 host name: dot-separated labels of letters, digits and inner hyphens, so never an option. */
    private static final Pattern HOST_NAME = Pattern.compile(
            "(?=.{1,253}\\.?$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\\.?");
    private static final Pattern IPV6_ZONE = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    private PingCommand() {
    }

    /**
     * {@code ping -c COUNT -i 1 -W TIMEOUT_SECONDS TARGET}, safe to hand to a shell.
     *
     * @param target         an IPv4 or IPv6 address or a host name; anything else is refused, naming the value
     * @param count          echo requests to send, 1 to {@value #MAX_COUNT}, {@value #INTERVAL} s apart
     * @param timeoutSeconds how long ping waits for a reply, 1 to {@value #MAX_TIMEOUT_SECONDS} (whole seconds: busybox
     *                       takes no fractions)
     * @throws IllegalArgumentException naming the bad value
     */
    public static String of(String target, int count, int timeoutSeconds) {
        return ShellQuoting.join(argv(target, count, timeoutSeconds));
    }

    /**
     * The same command as an argument vector, for running ping on the host without a shell; checked as
     * {@link #of} checks it.
     *
     * @throws IllegalArgumentException naming the bad value
     */
    public static List<String> argv(String target, int count, int timeoutSeconds) {
        requireValidTarget(target);
        if (count < 1 || count > MAX_COUNT) {
            throw new IllegalArgumentException("ping count " + count + " for " + target + " must be between 1 and " + MAX_COUNT);
        }
        if (timeoutSeconds < 1 || timeoutSeconds > MAX_TIMEOUT_SECONDS) {
            throw new IllegalArgumentException("ping timeout of " + timeoutSeconds + " s for " + target
                    + " must be between 1 and " + MAX_TIMEOUT_SECONDS + " seconds");
        }
        return List.of("ping", "-c", Integer.toString(count), "-i", INTERVAL, "-W", Integer.toString(timeoutSeconds), target);
    }

    /** Throws {@link IllegalArgumentException} naming {@code target} unless it is an IP address or a host name. */
    public static void requireValidTarget(String target) {
        if (!isValidTarget(target)) {
            throw new IllegalArgumentException("cannot ping [" + target + "]: not an IPv4 address, an IPv6 address or "
                    + "a host name (letters, digits, '-' and '.'); the target goes into a shell command line, so "
                    + "nothing else is accepted");
        }
    }

    static boolean isValidTarget(String target) {
        if (target == null || target.isEmpty()) {
            return false;
        }
        if (target.indexOf(':') >= 0) {
            return isIpv6(target);
        }
        if (LOOKS_NUMERIC.matcher(target).matches()) {
            // "10.0.0.256" would otherwise pass as a host name and end in a puzzling DNS lookup.
            return Cidr.isAddress(target);
        }
        return HOST_NAME.matcher(target).matches();
    }

    private static boolean isIpv6(String target) {
        int percent = target.indexOf('%');
        String address = percent < 0 ? target : target.substring(0, percent);
        if (percent >= 0 && !IPV6_ZONE.matcher(target.substring(percent + 1)).matches()) {
            return false;
        }
        if (!address.matches("[0-9A-Fa-f:.]+") || address.length() > 45) {
            return false;
        }
        int doubleColon = address.indexOf("::");
        if (doubleColon >= 0 && address.indexOf("::", doubleColon + 1) >= 0) {
            return false;
        }
        String[] groups = address.split(":", -1);
        int hexGroups = 0;
        for (int i = 0; i < groups.length; i++) {
            String group = groups[i];
            boolean last = i == groups.length - 1;
            if (group.isEmpty()) {
                continue; // part of "::" or a leading/trailing one, checked below
            }
            if (last && group.indexOf('.') >= 0) {
                if (!Cidr.isAddress(group)) {
                    return false;
                }
                hexGroups += 2;
            } else if (group.length() > 4 || !group.matches("[0-9A-Fa-f]+")) {
                return false;
            } else {
                hexGroups++;
            }
        }
        if (address.startsWith(":") && !address.startsWith("::") || address.endsWith(":") && !address.endsWith("::")) {
            return false;
        }
        return doubleColon >= 0 ? hexGroups <= 7 : hexGroups == 8;
    }
}
