package dev.virtunit.internal.net;

import dev.virtunit.LinkConditions;
import dev.virtunit.VirtunitException;
import dev.virtunit.internal.host.CommandResult;
import dev.virtunit.internal.host.HostCommands;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Link impairment with {@code tc}: a {@code netem} root qdisc on a host interface shapes what the host sends out of
 * it (on a guest's tap: toward the guest), and {@code ip link set down/up} cuts it. netem alone does delay, jitter,
 * loss and rate, so no {@code tbf} is needed.
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

    /** Puts {@code conditions} on {@code device}'s egress, replacing what was there. */
    public void impair(String device, LinkConditions conditions) {
        List<String> argv = netemCommand(device, conditions);
        CommandResult result = host.run(TIMEOUT, argv);
        if (!result.succeeded()) {
            throw new VirtunitException("cannot impair link " + device + " with " + conditions + ": " + String.join(" ", argv)
                    + " failed with exit code " + result.exitCode() + ": " + result.stderr().strip()
                    + " (is the sch_netem kernel module available? modprobe sch_netem)");
        }
    }

    /**
     * Removes the root qdisc of {@code device} (back to the default); a device without one, or gone with its guest,
     * is already clear.
     */
    public void clear(String device) {
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
