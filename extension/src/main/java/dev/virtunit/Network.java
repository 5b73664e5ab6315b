package dev.virtunit;

/**
 * A libvirt-managed network of ours ({@code virsh net-define}, {@code net-start}), like the seed's {@code default}
 * network: a bridge with the host's address, dnsmasq for DHCP, and NAT, routing or isolation.
 *
 * @since 0.1
 */
public interface Network extends Segment {

    /** {@return the bridge device libvirt made for it} */
    String bridge();

    /** {@return how the network forwards: NAT, routed, or isolated} */
    Mode mode();

    /** {@return whether libvirt's dnsmasq hands out addresses on it} */
    boolean dhcp();

    /** {@return {@code virsh net-dumpxml}} */
    String xml();

    /** The forwarding modes of a libvirt network. */
    enum Mode {
        /** Masquerade toward the uplink ({@code <forward mode='nat'/>}), the seed's default network. */
        NAT,
        /** Route without translation ({@code <forward mode='route'/>}). */
        ROUTE,
        /** No forwarding: guests and the host only. */
        ISOLATED
    }
}
