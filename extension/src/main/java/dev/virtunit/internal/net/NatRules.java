package dev.virtunit.internal.net;

import dev.virtunit.VirtunitException;
import dev.virtunit.internal.host.CommandFailedException;

import java.util.Objects;

/**
 * NAT between a guest bridge and an uplink, as one nftables table of family {@code ip} per bridge (named by
 * {@link NatSpec#tableName()}), loaded atomically: a guest never sees half a rule set.
 *
 * <p>The table has
 * <ul>
 *   <li>a {@code nat} postrouting chain that masquerades the guests' subnet leaving through the uplink, with the
 *       named counter {@code translated}: a test can assert that NAT really happened. It stays 0 in the broken
 *       topology of the seed story (Linux bridge, gateway on a veth), where packets leave untranslated;</li>
 *   <li>a {@code nat} prerouting chain with one counted DNAT per {@link PortForward};</li>
 *   <li>a {@code filter} forward chain (priority {@code filter}) that lets the guests out, lets replies in
 *       ({@code ct state established,related}) and the declared port forwards ({@code ct status dnat}), and drops
 *       everything else that comes from the uplink toward the bridge, counted by {@code blocked_inbound}.</li>
 * </ul>
 * The forward chain only judges packets between the bridge interface and the uplink; everything else passes it
 * untouched (policy accept). Its accept does not override other tables: nftables runs every base chain on a hook,
 * and a drop anywhere wins, so the host's forwarding guard ({@code inet virtunit_guard}) and libvirt's tables still
 * apply. While a {@code NatRules} is open, {@link IpForwarding} keeps IPv4 forwarding on.
 *
 * @since 0.1
 */
public final class NatRules implements AutoCloseable {

    /** Named counter on the masquerade rule. */
    public static final String TRANSLATED = "translated";

    /** Named counter on the inbound drop rule. */
    public static final String BLOCKED_INBOUND = "blocked_inbound";

    private final NatSpec spec;
    private final Nftables nftables;
    private final IpForwarding.Lease forwarding;
    private boolean deleted;

    private NatRules(NatSpec spec, Nftables nftables, IpForwarding.Lease forwarding) {
        this.spec = spec;
        this.nftables = nftables;
        this.forwarding = forwarding;
    }

    /**
     * Loads the table for {@code spec} through {@code nftables} (replacing a table of the same name, which resets its
     * counters) and keeps IPv4 forwarding on through {@code forwarding} until {@link #close()}.
     */
    public static NatRules apply(NatSpec spec, Nftables nftables, IpForwarding forwarding) {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(nftables, "nftables");
        IpForwarding.Lease lease = forwarding.acquire();
        try {
            load(spec, nftables);
        } catch (RuntimeException e) {
            lease.close();
            throw e;
        }
        return new NatRules(spec, nftables, lease);
    }

    public NatSpec spec() {
        return spec;
    }

    /**
     * The table as nftables text, exactly what {@link #apply} loads after its replace preamble. The named counters
     * are declared before the rules that reference them, as nft requires.
     */
    public static String render(NatSpec spec) {
        String bridge = quoted(spec.bridgeInterface());
        String uplink = quoted(spec.uplinkInterface());
        StringBuilder text = new StringBuilder();
        text.append("table ip ").append(spec.tableName()).append(" {\n");
        text.append("\tcounter ").append(TRANSLATED).append(" {\n\t}\n\n");
        text.append("\tcounter ").append(BLOCKED_INBOUND).append(" {\n\t}\n\n");
        text.append("\tchain prerouting {\n");
        text.append("\t\ttype nat hook prerouting priority dstnat; policy accept;\n");
        for (PortForward forward : spec.portForwards()) {
            text.append("\t\tiifname ").append(uplink).append(' ').append(forward.protocol().nftName())
                    .append(" dport ").append(forward.uplinkPort())
                    // Anonymous counter: a test reads each forward's use through NatTableCounters.
                    .append(" counter dnat to ").append(forward.guestAddress()).append(':').append(forward.guestPort()).append('\n');
        }
        text.append("\t}\n\n");
        text.append("\tchain postrouting {\n");
        text.append("\t\ttype nat hook postrouting priority srcnat; policy accept;\n");
        text.append("\t\tip saddr ").append(spec.sourceCidr()).append(" oifname ").append(uplink)
                .append(" counter name ").append(TRANSLATED).append(" masquerade\n");
        text.append("\t}\n\n");
        text.append("\tchain forward {\n");
        text.append("\t\ttype filter hook forward priority filter; policy accept;\n");
        text.append("\t\tiifname ").append(bridge).append(" oifname ").append(uplink).append(" accept\n");
        text.append("\t\tiifname ").append(uplink).append(" oifname ").append(bridge).append(" ct state established,related accept\n");
        text.append("\t\tiifname ").append(uplink).append(" oifname ").append(bridge).append(" ct status dnat accept\n");
        text.append("\t\tiifname ").append(uplink).append(" oifname ").append(bridge)
                .append(" counter name ").append(BLOCKED_INBOUND).append(" drop\n");
        text.append("\t}\n");
        text.append("}\n");
        return text.toString();
    }

    /**
     * What {@code nft -f -} reads: create the table if absent, delete it, then the whole table. nft runs a file as one
     * transaction, so this replaces an existing table atomically and loads a new one the same way.
     */
    public static String script(NatSpec spec) {
        return "add table ip " + spec.tableName() + "\n"
                + "delete table ip " + spec.tableName() + "\n"
                + render(spec);
    }

    private static String quoted(String interfaceName) {
        // NetworkNames allows no quote or backslash, so plain quoting is safe.
        return "\"" + interfaceName + "\"";
    }

    private static void load(NatSpec spec, Nftables nftables) {
        try {
            nftables.load(script(spec));
        } catch (CommandFailedException e) {
            throw new VirtunitException("cannot load NAT table ip " + spec.tableName() + " (" + spec.sourceCidr()
                    + " from " + spec.bridgeInterface() + " to " + spec.uplinkInterface() + "): " + e.getMessage()
                    + "\nthe rule set was:\n" + render(spec), e);
        }
    }

    /** Packets masqueraded so far (counter {@code translated}); each new connection's first packet counts. */
    public long translatedPackets() {
        return counter(TRANSLATED).packets();
    }

    /** Packets from the uplink toward the bridge dropped so far (counter {@code blocked_inbound}). */
    public long blockedInboundPackets() {
        return counter(BLOCKED_INBOUND).packets();
    }

    /** One named counter of this table. */
    public NftCounter counter(String name) {
        return nftables.counter(spec.tableName(), name);
    }

    /** Whether the table is loaded. */
    public boolean exists() {
        return nftables.tableExists(spec.tableName());
    }

    /** Deletes the table and lets go of IP forwarding; idempotent. */
    public synchronized void delete() {
        if (deleted) {
            return;
        }
        try {
            nftables.deleteTable(spec.tableName());
            deleted = true;
        } finally {
            // Forwarding is released even if the delete failed: the lease must not outlive its owner.
            forwarding.close();
        }
    }

    @Override
    public void close() {
        delete();
    }
}
