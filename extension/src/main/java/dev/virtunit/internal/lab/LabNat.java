package dev.virtunit.internal.lab;

import dev.virtunit.Nat;
import dev.virtunit.VirtunitException;
import dev.virtunit.internal.host.CommandResult;
import dev.virtunit.internal.host.HostCommands;
import dev.virtunit.internal.net.Conntrack;
import dev.virtunit.internal.net.NatTableCounters;
import dev.virtunit.observe.ConntrackEntry;
import dev.virtunit.observe.NatCounters;

import java.time.Duration;
import java.util.List;

/** A bridge's {@link Nat} view: conntrack entries of its subnet and the counters of its nftables table. */
final class LabNat implements Nat {

    private final HostCommands host;
    private final String cidr;
    /** Empty for a bridge without NAT. */
    private final String table;

    LabNat(HostCommands host, String cidr, String table) {
        this.host = host;
        this.cidr = cidr;
        this.table = table;
    }

    @Override
    public List<ConntrackEntry> connections() {
        return new Conntrack(host).entriesOf(cidr);
    }

    @Override
    public NatCounters counters() {
        if (table.isEmpty()) {
            return NatCounters.NONE;
        }
        List<String> argv = NatTableCounters.listCommand(table);
        CommandResult result = host.run(Duration.ofSeconds(10), argv);
        if (!result.succeeded()) {
            throw new VirtunitException("cannot read the counters of NAT table ip " + table + " (" + cidr + "): "
                    + String.join(" ", argv) + " failed with exit code " + result.exitCode() + ": "
                    + result.stderr().strip());
        }
        return NatTableCounters.parse(result.stdout());
    }
}
