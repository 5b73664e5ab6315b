package dev.virtunit.observe;

import java.util.Map;

/**
 * The counters of a bridge's NAT table, read at one moment ({@code nft list table ip vu_...}).
 *
 * @param masquerade     the masquerade rule: the first packet of each connection the guests opened toward the uplink
 * @param blockedInbound the drop rule: packets from the uplink toward the guests that no port forward admitted
 * @param portForwards   each port forward's DNAT rule, keyed as declared with the guest's full address, e.g.
 *                       {@code tcp:8080->192.168.77.50:80}: the first packet of each forwarded connection
 * @since 0.2
 */
public record NatCounters(RuleCounter masquerade, RuleCounter blockedInbound, Map<String, RuleCounter> portForwards) {

    /**
     * Copies {@code portForwards}, so the record is immutable.
     *
     * @param masquerade     the masquerade rule's counter
     * @param blockedInbound the inbound drop rule's counter
     * @param portForwards   each port forward's DNAT rule counter; copied
     */
    public NatCounters {
        portForwards = Map.copyOf(portForwards);
    }

    /** A bridge without NAT: every counter zero. */
    public static final NatCounters NONE = new NatCounters(RuleCounter.ZERO, RuleCounter.ZERO, Map.of());
}
