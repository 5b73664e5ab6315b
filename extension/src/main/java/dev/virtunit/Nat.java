package dev.virtunit;

import dev.virtunit.observe.ConntrackEntry;
import dev.virtunit.observe.NatCounters;

import java.util.List;

/**
 * A bridge's NAT as the host sees it, as values a test can assert on: the connections the host tracks for the
 * bridge's subnet, and the counters of its rules. Each call reads the host again.
 *
 * <pre>{@code
 * guest.ping(internet.address(), 1);
 * assertThat(lan.nat().connections()).anySatisfy(c -> {
 *     assertThat(c.originalSource()).isEqualTo(guest.address());
 *     assertThat(c.replyDestination()).isEqualTo(internet.hostAddress());
 * });
 * assertThat(lan.nat().counters().masquerade().packets()).isPositive();
 * }</pre>
 *
 * @since 0.2
 */
public interface Nat {

    /**
     * Connection tracking entries of the bridge's subnet ({@code conntrack -L}): whose original source, original
     * destination or reply source is in it, so what the guests opened and what port forwards let in. Empty without
     * traffic.
     *
     * @return the entries as read now
     */
    List<ConntrackEntry> connections();

    /** {@return the counters of the bridge's NAT rules now; all zero for a bridge without NAT} */
    NatCounters counters();
}
