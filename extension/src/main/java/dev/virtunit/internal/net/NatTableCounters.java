package dev.virtunit.internal.net;

import dev.virtunit.observe.NatCounters;
import dev.virtunit.observe.RuleCounter;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the counters of a {@link NatRules} table from {@code nft list table ip <table>}: its two named counters and
 * the anonymous counter on each port forward's DNAT rule, whose line reads
 * {@code iifname "vu1a2b3cu0h" tcp dport 8080 counter packets 2 bytes 120 dnat to 192.168.77.50:80}.
 *
 * @since 0.2
 */
public final class NatTableCounters {

    private static final Pattern DNAT = Pattern.compile(
            "\\b(tcp|udp) dport (\\d+) counter(?: packets (\\d+) bytes (\\d+))? dnat to ([0-9.]+):(\\d+)");

    private NatTableCounters() {
    }

    /** The command that lists the table with its counters. */
    public static List<String> listCommand(String table) {
        return List.of("nft", "list", "table", "ip", NetworkNames.tableName(table));
    }

    /** The counters in {@code nftOutput}; a counter the output lacks reads as zero. */
    public static NatCounters parse(String nftOutput) {
        Map<String, RuleCounter> forwards = new LinkedHashMap<>();
        Matcher dnat = DNAT.matcher(nftOutput);
        while (dnat.find()) {
            String key = dnat.group(1) + ":" + dnat.group(2) + "->" + dnat.group(5) + ":" + dnat.group(6);
            forwards.put(key, dnat.group(3) == null ? RuleCounter.ZERO
                    : new RuleCounter(Long.parseLong(dnat.group(3)), Long.parseLong(dnat.group(4))));
        }
        return new NatCounters(named(nftOutput, NatRules.TRANSLATED), named(nftOutput, NatRules.BLOCKED_INBOUND), forwards);
    }

    private static RuleCounter named(String nftOutput, String name) {
        try {
            NftCounter counter = NftCounter.parse(name, nftOutput);
            return new RuleCounter(counter.packets(), counter.bytes());
        } catch (IllegalArgumentException absent) {
            return RuleCounter.ZERO;
        }
    }
}
