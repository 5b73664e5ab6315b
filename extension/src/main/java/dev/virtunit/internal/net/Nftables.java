package dev.virtunit.internal.net;

import java.util.Objects;
import dev.virtunit.VirtunitException;
import dev.virtunit.internal.host.CommandFailedException;
import dev.virtunit.internal.host.CommandResult;
import dev.virtunit.internal.host.HostCommands;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * The one place that runs {@code nft}: loading a rule set as one transaction, reading a named counter, and finding
 * and deleting tables of family {@code ip}. {@link NatRules} says what the rules are.
 *
 * @since 0.2
 */
public final class Nftables {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final HostCommands host;

    public Nftables(HostCommands host) {
        this.host = Objects.requireNonNull(host, "host");
    }

    /**
     * Loads {@code script} with {@code nft -f -}, the script on nft's stdin: nft runs it as one transaction, so a rule
     * set is never half loaded, and no file is needed on the host (which may be a remote one).
     *
     * @throws CommandFailedException when nft rejects it
     */
    public void load(String script) {
        host.check(TIMEOUT, List.of("nft", "-f", "-"), script.getBytes(StandardCharsets.UTF_8));
    }

    /** Named counter {@code name} of table {@code ip table}. */
    public NftCounter counter(String table, String name) {
        List<String> argv = List.of("nft", "list", "counter", "ip", table, name);
        try {
            return NftCounter.parse(name, host.check(TIMEOUT, argv).stdout());
        } catch (CommandFailedException e) {
            throw new VirtunitException("cannot read counter " + name + " of NAT table ip " + table + ": "
                    + e.getMessage(), e);
        }
    }

    /** Whether table {@code ip name} exists. */
    public boolean tableExists(String name) {
        NetworkNames.tableName(name);
        return host.run(TIMEOUT, List.of("nft", "list", "table", "ip", name)).succeeded();
    }

    /** Deletes table {@code ip name} if it exists. */
    public void deleteTable(String name) {
        NetworkNames.tableName(name);
        CommandResult result = host.run(TIMEOUT, List.of("nft", "delete", "table", "ip", name));
        if (!result.succeeded() && tableExists(name)) {
            throw new VirtunitException("cannot delete NAT table ip " + name + ": nft failed with exit code "
                    + result.exitCode() + ": " + result.stderr().strip());
        }
    }
}
