package dev.virtunit.observe;

/**
 * What one nftables counter counted: packets and bytes that matched its rule.
 *
 * @param packets packets counted
 * @param bytes   bytes counted
 * @since 0.2
 */
public record RuleCounter(long packets, long bytes) {

    /** A counter that counted nothing: what a rule without NAT, or a rule never matched, reads as. */
    public static final RuleCounter ZERO = new RuleCounter(0, 0);
}
