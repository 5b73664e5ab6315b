package dev.virtunit.internal.net;

import dev.virtunit.Cidr;
import dev.virtunit.VirtunitException;
import dev.virtunit.internal.host.CommandResult;
import dev.virtunit.internal.host.HostCommands;
import dev.virtunit.observe.ConntrackEntry;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The host's connection tracking table through {@code conntrack -L}, read into
 * {@link ConntrackEntry} values. Lines look like
 * <pre>
 * icmp     1 29 src=192.168.77.10 dst=192.168.231.2 type=8 code=0 id=7 src=192.168.231.2 dst=192.168.231.1 type=0 code=0 id=7 mark=0 use=1
 * tcp      6 431999 ESTABLISHED src=192.168.77.10 dst=192.168.231.2 sport=40000 dport=7 src=192.168.231.2 dst=192.168.231.1 sport=7 dport=40000 [ASSURED] mark=0 use=1
 * </pre>
 * (the first {@code src=} group is the original direction, the second the reply).
 *
 * @since 0.2
 */
public final class Conntrack {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final HostCommands host;

    public Conntrack(HostCommands host) {
        this.host = Objects.requireNonNull(host, "host");
    }

    /** The {@code conntrack} command that lists entries whose original source is in {@code cidr}. */
    public static List<String> fromSubnet(String cidr) {
        return List.of("conntrack", "-L", "-f", "ipv4", "-s", cidr);
    }

    /** The command that lists entries whose original destination is in {@code cidr}. */
    public static List<String> toSubnet(String cidr) {
        return List.of("conntrack", "-L", "-f", "ipv4", "-d", cidr);
    }

    /** Every IPv4 entry: conntrack takes no CIDR for the reply direction, so port forwards are found by reading all. */
    public static List<String> all() {
        return List.of("conntrack", "-L", "-f", "ipv4");
    }

    /**
     * Entries of {@code cidr}: opened from it, sent to it, or answered from it (a port forward's connection, whose
     * original destination is the host's uplink address), in conntrack's order.
     */
    public List<ConntrackEntry> entriesOf(String cidr) {
        Cidr subnet = Cidr.parse(cidr);
        return list(all()).stream().filter(entry -> subnet.contains(entry.originalSource())
                || subnet.contains(entry.originalDestination()) || subnet.contains(entry.replySource())).toList();
    }

    private List<ConntrackEntry> list(List<String> argv) {
        CommandResult result = host.run(TIMEOUT, argv);
        if (!result.succeeded()) {
            throw new VirtunitException("cannot read connection tracking (" + String.join(" ", argv) + "): exit code "
                    + result.exitCode() + ": " + result.stderr().strip() + " (is conntrack installed? "
                    + "scripts/setup-host installs it)");
        }
        return parse(result.stdout());
    }

    /** Every entry of {@code conntrack -L} output; lines that are no entry (the summary on stderr) are skipped. */
    public static List<ConntrackEntry> parse(String output) {
        List<ConntrackEntry> entries = new ArrayList<>();
        for (String line : output.lines().toList()) {
            parseLine(line).ifPresent(entries::add);
        }
        return entries;
    }

    static Optional<ConntrackEntry> parseLine(String line) {
        String[] tokens = line.strip().split("\\s+");
        if (tokens.length < 4 || !tokens[1].matches("\\d+")) {
            return Optional.empty();
        }
        String protocol = tokens[0];
        String state = "";
        List<Map<String, String>> directions = new ArrayList<>();
        boolean replied = true;
        for (int i = 3; i < tokens.length; i++) {
            String token = tokens[i];
            if (i == 3 && token.matches("[A-Z_]+")) {
                state = token;
            } else if (token.equals("[UNREPLIED]")) {
                replied = false;
            } else if (token.startsWith("src=")) {
                directions.add(new TreeMap<>());
                directions.get(directions.size() - 1).put("src", token.substring(4));
            } else if (!directions.isEmpty() && token.contains("=") && !token.startsWith("mark=")
                    && !token.startsWith("use=") && !token.startsWith("zone=")) {
                directions.get(directions.size() - 1).putIfAbsent(token.substring(0, token.indexOf('=')),
                        token.substring(token.indexOf('=') + 1));
            }
        }
        if (directions.size() < 2) {
            return Optional.empty();
        }
        Map<String, String> original = directions.get(0);
        Map<String, String> reply = directions.get(1);
        return Optional.of(new ConntrackEntry(protocol, state, original.getOrDefault("src", ""),
                original.getOrDefault("dst", ""), port(original, "sport"), port(original, "dport"),
                reply.getOrDefault("src", ""), reply.getOrDefault("dst", ""), port(reply, "sport"),
                port(reply, "dport"), replied));
    }

    private static int port(Map<String, String> direction, String key) {
        String value = direction.get(key);
        return value == null || !value.matches("\\d+") ? 0 : Integer.parseInt(value);
    }
}
