package dev.virtunit;

import java.time.Duration;

/**
 * One NIC of a guest, seen from the host: its port (the tap device libvirt made, {@code vnet3}). A test takes the
 * link down, shapes what reaches the guest, or captures on it; each change is an {@link Impairment} undone by its
 * {@code close()}, and at the latest when the guest is removed.
 *
 * @since 0.2
 */
public interface GuestLink {

    /** {@return the host-side device of the NIC ({@code virsh domiflist})} */
    String device();

    /**
     * Takes the port down on the host ({@code ip link set dev vnet3 down}): nothing passes; closing brings it up.
     *
     * @return the impairment; closing it brings the port up again
     */
    Impairment down();

    /** Brings the port up again ({@code ip link set dev vnet3 up}). */
    void up();

    /**
     * Applies {@code conditions} to the traffic the host sends to the guest on this port: a ping's round trip crosses
     * it once. A delay or jitter takes {@code tc ... netem} (a kernel without netem refuses it, saying so); loss and
     * rate alone take an nftables egress rule and a {@code tbf} qdisc. Closing removes them.
     *
     * @param conditions the delay, loss and rate to apply
     * @return the applied impairment; closing it restores the port (teardown does so too)
     */
    Impairment impair(LinkConditions conditions);

    /**
     * Captures on the port for at most {@code limit}; see {@link Capture}.
     *
     * @return the running capture; close it to stop capturing
     * @param limit how long the capture may run at most
     */
    Capture capture(Duration limit);
}
