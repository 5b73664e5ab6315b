package dev.virtunit.internal.net;

import dev.virtunit.internal.host.HostCommands;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Kernel settings through {@code sysctl}, such as {@code net.ipv4.ip_forward}. A key may also be given as a path
 * ({@code net/ipv4/conf/vu1.5/forwarding}) where an interface name contains dots; {@code sysctl} then keeps the dots.
 * Keys are checked before they reach the tool, so none can name a file outside {@code /proc/sys}.
 *
 * @since 0.2
 */
public final class Sysctls {

    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_./-]*");

    private final NetCommands commands;

    public Sysctls(HostCommands host) {
        this.commands = new NetCommands(host);
    }

    /** The value of {@code key}, without the trailing newline. */
    public String read(String key) {
        checked(key);
        return commands.check("read sysctl " + key, List.of("sysctl", "-n", key)).stdout().strip();
    }

    /** Sets {@code key} to {@code value}. */
    public void write(String key, String value) {
        checked(key);
        Objects.requireNonNull(value, "value");
        if (value.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("sysctl value for " + key + " must be one line");
        }
        commands.check("set sysctl " + key + " to '" + value + "'", List.of("sysctl", "-q", "-w", key + "=" + value));
    }

    /** Whether the setting exists (its module is loaded). */
    public boolean exists(String key) {
        return commands.run(List.of("sysctl", "-N", checked(key))).succeeded();
    }

    /** {@code key}, once it is known to be a plain sysctl key; rejects keys that could leave {@code /proc/sys}. */
    static String checked(String key) {
        if (key == null || !KEY.matcher(key).matches() || key.contains("..")) {
            throw new IllegalArgumentException("sysctl key '" + key + "' is not like net.ipv4.ip_forward "
                    + "(letters, digits, '_', '-', and '.' or '/' as separators)");
        }
        return key;
    }
}
