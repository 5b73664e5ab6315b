package dev.virtunit;

import java.time.Duration;

import dev.virtunit.junit.LinuxBridge;
import dev.virtunit.junit.OvsBridge;

/**
 * A bridge of ours that guests plug into: Open vSwitch ({@link OvsBridge}) or a Linux kernel bridge
 * ({@link LinuxBridge}), with the host's gateway address on the bridge itself or on the free end of a veth pair,
 * and optionally NAT toward an uplink.
 *
 * @since 0.1
 */
public interface Bridge extends Segment {

    /** The bridge device's name ({@code ip link} / {@code ovs-vsctl list-br}). */
    String name();

    /** {@return whether it is an Open vSwitch or a Linux bridge} */
    Kind kind();

    /** The bridge's subnet in CIDR notation, e.g. {@code 192.168.77.0/24}. */
    String cidr();

    /** The host's address on this subnet: the guests' default gateway. Empty string with {@link Gateway#NONE}. */
    String gateway();

    /** {@return where the gateway address lives: the bridge device, or the free end of a veth pair} */
    Gateway gatewayPlacement();

    /** {@return the host interface that holds the gateway address: the bridge itself or the free veth end} */
    String gatewayInterface();

    /** {@return the nftables table of this bridge's NAT; empty string without NAT} */
    String natTable();

    /** {@return packets the masquerade rule translated so far (0 without NAT): proof that NAT was applied} */
    long natTranslatedPackets();

    /** {@return packets from the uplink toward the bridge that were dropped (no port forward let them in)} */
    long natBlockedInboundPackets();

    // ---- observing and shaping the network, @since 0.2 ----

    /**
     * Captures on the bridge device for at most {@code limit} ({@code tcpdump -i <bridge> -w ...}): every frame the
     * bridge's own interface sees. On an Open vSwitch bridge that is what the switch floods or sends to the host;
     * capture on a guest's port ({@link GuestLink#capture}) for everything of one guest.
     *
     * @param limit how long the capture may run at most; it stops earlier when read or closed
     * @return the running capture; close it to stop capturing
     * @since 0.2
     */
    Capture capture(Duration limit);

    /**
     * Captures on the NAT's uplink for at most {@code limit}: what leaves toward the outside, after translation.
     *
     * @param limit how long the capture may run at most
     * @return the running capture; close it to stop capturing
     * @throws VirtunitException for a bridge without NAT
     * @since 0.2
     */
    Capture captureUplink(Duration limit);

    /**

     * {@return the NAT's view: tracked connections of the bridge's subnet and the rule counters}

     *

     * @since 0.2

     */
    Nat nat();

    /**
     * Applies {@code conditions} to what the host sends out of the NAT's uplink (toward the upstream); closing removes
     * them.
     *
     * @param conditions the delay, loss and rate to apply
     * @return the applied impairment; closing it restores the uplink (teardown does so too)
     * @throws VirtunitException for a bridge without NAT
     * @since 0.2
     */
    Impairment impairUplink(LinkConditions conditions);

    /**
     * Cuts traffic between two guests on this bridge in both directions, by their MAC addresses (OpenFlow drop flows
     * on Open vSwitch, an nftables {@code bridge} table on a Linux bridge); both still reach the gateway and everyone
     * else. Closing restores it.
     *
     * @param a one guest on this bridge
     * @param b the other guest on this bridge
     * @return the partition; closing it lets the two guests talk again
     * @throws VirtunitException when a guest has no NIC on this bridge
     * @since 0.2
     */
    Impairment partition(Guest a, Guest b);

    /** The two kinds of bridge. */
    enum Kind {
        /** Open vSwitch; the userspace datapath where the kernel has no openvswitch module. */
        OVS,
        /** A Linux kernel bridge. */
        LINUX
    }

    /** Where the host's gateway address goes, as in the seed notes. */
    enum Gateway {
        /** On the bridge device itself. */
        ON_BRIDGE,
        /** On the free end of a veth pair whose other end is a port of the bridge. */
        ON_VETH,
        /** Nowhere: the bridge is a pure layer-2 segment between guests. */
        NONE
    }
}
