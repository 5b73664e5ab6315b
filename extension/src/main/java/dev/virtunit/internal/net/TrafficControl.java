package dev.virtunit.internal.net;

import dev.virtunit.LinkConditions;
import dev.virtunit.VirtunitException;
import dev.virtunit.internal.host.CommandFailedException;
import dev.virtunit.internal.host.CommandResult;
import dev.virtunit.internal.host.HostCommands;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Link impairment on a host interface, on what the host sends out of it (on a guest's tap: toward the guest), and
 * {@code ip link set down/up}. Conditions with a delay or jitter need {@code netem}, which then does all of them
 * (delay, jitter, loss, rate). Without a delay, loss is an nftables {@code netdev} table on the device's egress hook
 * ({@code numgen random} drops) and rate a {@code tbf} qdisc: kernels built without netem (this project's CI machines)
 * still lose and limit packets, and the egress hook sees what the Open vSwitch userspace datapath sends too (it writes
 * through an AF_PACKET socket, which passes the qdisc and the egress hook).
 *
 * @since 0.2
 */
public final class TrafficControl {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final HostCommands host;

    public TrafficControl(HostCommands host) {
        this.host = Objects.requireNonNull(host, "host");
    }

    /** {@code tc qdisc replace dev <device> root netem <conditions>}. */
    public static List<String> netemCommand(String device, LinkConditions conditions) {
        List<String> argv = new ArrayList<>(List.of("tc", "qdisc", "replace", "dev", NetworkNames.interfaceName(device),
                "root", "netem"));
        argv.addAll(conditions.netemArguments());
        return argv;
    }

    /** {@code tc qdisc replace dev <device> root tbf rate <r>kbit ...}: a rate limit without netem. */
    public static List<String> tbfCommand(String device, long rateKbit) {
        return List.of("tc", "qdisc", "replace", "dev", NetworkNames.interfaceName(device), "root", "tbf",
                "rate", rateKbit + "kbit", "burst", "32kbit", "latency", "400ms");
    }

    /** The nftables table that drops {@code percent} of what leaves {@code device}, at random. */
    public static String lossScript(String table, String device, double percent) {
        return "table netdev " + NetworkNames.tableName(table) + " {\n"
                + "\tchain egress {\n"
                + "\t\ttype filter hook egress device \"" + NetworkNames.interfaceName(device)
                + "\" priority filter; policy accept;\n"
                // numgen's values are 0 to 9999, so all of them is no comparison at all.
                + (percent >= 100 ? "\t\tcounter drop\n"
                : "\t\tnumgen random mod 10000 < " + Math.round(percent * 100) + " counter drop\n")
                + "\t}\n"
                + "}\n";
    }

    /**
     * Puts {@code conditions} on {@code device}'s egress, replacing what was there; {@code lossTable} names the
     * nftables table of a loss without delay. The caller has registered {@link #clear} first.
     */
    public void impair(String device, LinkConditions conditions, String lossTable) {
        boolean netem = !conditions.delay().isZero() || !conditions.jitter().isZero();
        if (netem) {
            tc(device, conditions, netemCommand(device, conditions));
            return;
        }
        if (conditions.rateKbit() > 0) {
            tc(device, conditions, tbfCommand(device, conditions.rateKbit()));
        }
        if (conditions.lossPercent() > 0) {
            try {
                new Nftables(host).load(lossScript(lossTable, device, conditions.lossPercent()));
            } catch (CommandFailedException e) {
                throw new VirtunitException("cannot impair link " + device + " with " + conditions + ": nftables table "
                        + "netdev " + lossTable + " was refused (an egress hook needs Linux 5.16 or later): "
                        + e.getMessage(), e);
            }
        }
    }

    private void tc(String device, LinkConditions conditions, List<String> argv) {
        CommandResult result = host.run(TIMEOUT, argv);
        if (!result.succeeded()) {
            boolean noNetem = argv.contains("netem") && result.stderr().contains("qdisc kind is unknown");
            throw new VirtunitException("cannot impair link " + device + " with " + conditions + ": " + String.join(" ", argv)
                    + " failed with exit code " + result.exitCode() + ": " + result.stderr().strip()
                    + (noNetem ? " (this kernel has no netem qdisc, CONFIG_NET_SCH_NETEM / module sch_netem: delay and "
                    + "jitter cannot be emulated on this host; loss and rate without a delay can)" : ""));
        }
    }

    /**
     * Removes what {@link #impair} put on {@code device}: its root qdisc (back to the default) and the loss table; a
     * device without them, or gone with its guest, is already clear.
     */
    public void clear(String device, String lossTable) {
        List<String> argv = List.of("nft", "delete", "table", "netdev", NetworkNames.tableName(lossTable));
        CommandResult result = host.run(TIMEOUT, argv);
        if (!result.succeeded() && !result.stderr().contains("No such file or directory")) {
            throw new VirtunitException("cannot remove the loss of link " + device + ": " + String.join(" ", argv)
                    + " failed with exit code " + result.exitCode() + ": " + result.stderr().strip());
        }
        clearQdisc(device);
    }

    private void clearQdisc(String device) {
        List<String> argv = List.of("tc", "qdisc", "del", "dev", NetworkNames.interfaceName(device), "root");
        CommandResult result = host.run(TIMEOUT, argv);
        String error = result.stderr();
        boolean alreadyClear = error.contains("handle of zero") || error.contains("No such file or directory")
                || error.contains("Cannot find device") || error.contains("No such device");
        if (!result.succeeded() && !alreadyClear) {
            throw new VirtunitException("cannot remove the impairment of link " + device + ": " + String.join(" ", argv)
                    + " failed with exit code " + result.exitCode() + ": " + error.strip());
        }
    }

    /** {@code ip link set dev <device> down|up}; bringing up a device that is gone (its guest removed) is no error. */
    public void setLink(String device, boolean up) {
        List<String> argv = List.of("ip", "link", "set", "dev", NetworkNames.interfaceName(device), up ? "up" : "down");
        CommandResult result = host.run(TIMEOUT, argv);
        boolean gone = result.stderr().contains("Cannot find device") || result.stderr().contains("does not exist");
        if (!result.succeeded() && !(up && gone)) {
            throw new VirtunitException("cannot take link " + device + (up ? " up" : " down") + ": "
                    + String.join(" ", argv) + " failed with exit code " + result.exitCode() + ": "
                    + result.stderr().strip());
        }
    }
}
