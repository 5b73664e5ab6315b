package dev.virtunit;

/**
 * A layer-2 segment a guest NIC can join: one of our bridges, or a libvirt network.
 *
 * @since 0.1
 */
public interface Segment {

    /** {@return the segment's name: the bridge device, or the libvirt network} */
    String name();

    /** {@return its subnet in CIDR notation} */
    String cidr();

    /** {@return the host's address on it, the guests' default gateway; empty if the host has none} */
    String gateway();
}
