package dev.virtunit.observe;

/**
 * The traffic counters of one guest NIC, as {@code virsh domifstat} shows them, seen from the guest's side.
 *
 * @since 0.1
 */
public record InterfaceCounters(String device, long rxBytes, long rxPackets, long rxErrors, long rxDrops,
                                long txBytes, long txPackets, long txErrors, long txDrops) {
}
