package dev.virtunit.internal.net;

import dev.virtunit.VirtunitException;
import dev.virtunit.internal.host.CommandFailedException;
import dev.virtunit.internal.host.CommandResult;
import dev.virtunit.internal.host.HostCommands;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Cuts the frames between two MAC addresses on one bridge, both ways, and restores them: on Open vSwitch two
 * OpenFlow drop flows above the bridge's {@code NORMAL} flow, marked with a cookie of their own so that removing them
 * touches nothing else; on a Linux bridge an nftables table of family {@code bridge} whose forward chain drops them.
 * Broadcasts still pass (ARP requests reach everyone), but no unicast frame crosses: the two cannot talk, while both
 * reach the gateway and every other guest.
 *
 * @since 0.2
 */
public final class MacPartition {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final Pattern MAC = Pattern.compile("[0-9a-f]{2}(:[0-9a-f]{2}){5}");

    private final HostCommands host;
    private final boolean openVSwitch;
    private final String bridge;
    /** The OpenFlow cookie (Open vSwitch) or the nftables table name (Linux bridge) that marks this partition. */
    private final String mark;
    private final String a;
    private final String b;

    private MacPartition(HostCommands host, boolean openVSwitch, String bridge, String mark, String a, String b) {
        this.host = host;
        this.openVSwitch = openVSwitch;
        this.bridge = bridge.isEmpty() ? "" : NetworkNames.interfaceName(bridge);
        this.mark = mark;
        this.a = mac(a);
        this.b = mac(b);
    }

    /** A partition on Open vSwitch bridge {@code bridge}, its flows marked with {@code cookie}. */
    public static MacPartition onOpenVSwitch(HostCommands host, String bridge, long cookie, String a, String b) {
        return new MacPartition(host, true, bridge, "0x" + Long.toHexString(cookie), a, b);
    }

    /**
     * A partition on a Linux bridge through nftables table {@code bridge <table>}. It matches the MACs alone: in the
     * bridge family {@code iifname} is the port, and the bridge's name ({@code meta ibrname}) needs a kernel option
     * some kernels lack; the guests' MACs are unique to the run anyway.
     */
    public static MacPartition onLinuxBridge(HostCommands host, String table, String a, String b) {
        return new MacPartition(host, false, "", NetworkNames.tableName(table), a, b);
    }

    private static String mac(String mac) {
        String lower = mac.toLowerCase(Locale.ROOT);
        if (!MAC.matcher(lower).matches()) {
            throw new IllegalArgumentException("not a MAC address: '" + mac + "'");
        }
        return lower;
    }

    /** The commands {@link #apply()} runs (an {@code nft -f} script is loaded through {@link Nftables} instead). */
    public List<List<String>> applyCommands() {
        return openVSwitch ? List.of(flow(a, b), flow(b, a)) : List.of();
    }

    private List<String> flow(String from, String to) {
        return List.of("ovs-ofctl", "add-flow", bridge, "cookie=" + mark + ",priority=40000,dl_src=" + from
                + ",dl_dst=" + to + ",actions=drop");
    }

    /** The nftables table of a Linux bridge's partition. */
    public String script() {
        return "table bridge " + mark + " {\n"
                + "\tchain forward {\n"
                + "\t\ttype filter hook forward priority filter; policy accept;\n"
                + "\t\tether saddr " + a + " ether daddr " + b + " counter drop\n"
                + "\t\tether saddr " + b + " ether daddr " + a + " counter drop\n"
                + "\t}\n"
                + "}\n";
    }

    /** Cuts the two apart; the caller has registered {@link #remove()} first. */
    public void apply() {
        try {
            if (openVSwitch) {
                for (List<String> argv : applyCommands()) {
                    host.check(TIMEOUT, argv);
                }
            } else {
                new Nftables(host).load(script());
            }
        } catch (CommandFailedException e) {
            throw new VirtunitException("cannot partition " + a + " from " + b + " (" + mark + "): "
                    + e.getMessage(), e);
        }
    }

    /** The command that undoes it. */
    public List<String> removeCommand() {
        return openVSwitch ? List.of("ovs-ofctl", "del-flows", bridge, "cookie=" + mark + "/-1")
                : List.of("nft", "delete", "table", "bridge", mark);
    }

    /** Lets frames between the two pass again; a bridge or table already gone is no error. Idempotent. */
    public void remove() {
        List<String> argv = removeCommand();
        CommandResult result = host.run(TIMEOUT, argv);
        String error = result.stderr();
        boolean gone = error.contains("No such file or directory") || error.contains("is not a bridge")
                || error.contains("not a bridge or a socket");
        if (!result.succeeded() && !gone) {
            throw new VirtunitException("cannot end the partition of " + a + " and " + b + " (" + mark + "): "
                    + String.join(" ", argv) + " failed with exit code " + result.exitCode() + ": " + error.strip());
        }
    }

    @Override
    public String toString() {
        return "partition of " + a + " and " + b + (openVSwitch ? " on bridge " + bridge : " by table bridge " + mark);
    }
}
