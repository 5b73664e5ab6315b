package dev.virtunit;

/**
 * A layer-2 segment a guest NIC can join: one of our bridges, or a libvirt network.
 *
 * @since 0.1
 */
public interface Segment {

    /** The segment's name: the bridge device, or the libvirt network. */
    String name();

    /** Its subnet in CIDR notation. */
    String cidr();

    /** The host's address on it, the guests' default gateway; empty if the host has none. */
    String gateway();
}
