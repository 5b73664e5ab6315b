package dev.virtunit.observe;

/**
 * One connection the host's connection tracking knows ({@code conntrack -L}): the tuple as it was sent and the tuple
 * the reply is expected with. A masqueraded connection shows the translation: the original source is the guest, the
 * reply's destination the host's uplink address.
 *
 * @param protocol               {@code tcp}, {@code udp}, {@code icmp}, ...
 * @param state                  the TCP state ({@code ESTABLISHED}, {@code TIME_WAIT}, ...); empty for other protocols
 * @param originalSource         the source address of the first packet
 * @param originalDestination    the destination address of the first packet
 * @param originalSourcePort     its source port; 0 for protocols without ports (ICMP)
 * @param originalDestinationPort its destination port; 0 for protocols without ports
 * @param replySource            the address replies come from
 * @param replyDestination       the address replies go to: the masquerading host's address after source NAT
 * @param replySourcePort        their source port; 0 without ports
 * @param replyDestinationPort   their destination port; 0 without ports
 * @param replied                whether a reply was seen (conntrack prints {@code [UNREPLIED]} until then)
 * @since 0.2
 */
public record ConntrackEntry(String protocol, String state, String originalSource, String originalDestination,
                             int originalSourcePort, int originalDestinationPort, String replySource,
                             String replyDestination, int replySourcePort, int replyDestinationPort, boolean replied) {

    /** {@return whether the connection's source was rewritten on the way: the reply goes to someone other than the sender} */
    public boolean sourceTranslated() {
        return !replyDestination.equals(originalSource);
    }

    /** {@return whether the connection's destination was rewritten (a port forward): the reply comes from someone else} */
    public boolean destinationTranslated() {
        return !replySource.equals(originalDestination);
    }
}
