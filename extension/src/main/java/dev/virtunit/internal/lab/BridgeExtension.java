package dev.virtunit.internal.lab;

import dev.virtunit.Bridge;
import dev.virtunit.BridgeSpec;
import dev.virtunit.Cidr;
import dev.virtunit.internal.net.HostNetworking;

/**
 * A bridge that extends another host's bridge ("home") onto this lab's host, for a bridge spanning hosts: made with
 * {@link HostTopology#extension}, joined to home by {@link LabBridge#addTunnel} on both sides.
 *
 * <p>It is a bridge of the same kind on home's subnet, with a host address of home's segment on its device and no
 * NAT. Its guests get their addresses from home's {@link StaticAddresses} (one segment, so no address twice) and
 * home's gateway as theirs: they route across the tunnel to home, so NAT, port forwards and the upstream stay where
 * home is. The host address is there even when home has no gateway (a pure layer-2 segment): it is how this host
 * reaches its guests on the segment (readiness probes, SSH, a ping from the host), and no guest routes through it.
 */
final class BridgeExtension {

    private BridgeExtension() {
    }

    /**
     * Makes the extension {@code name} of {@code home} on {@code host}, with {@code hostAddress} (a CIDR of home's
     * subnet, such as {@code 10.0.5.10/24}) on its device; on failure removes what it made before throwing.
     */
    static LabBridge create(LabBridge home, String name, String natTable, String hostAddress, String run,
                            HostNetworking host, int mtu) {
        Cidr address = checkedAddress(home, name, hostAddress);
        BridgeSpec spec = (home.kind() == Bridge.Kind.OVS ? BridgeSpec.ovs() : BridgeSpec.linux())
                .withGateway(Bridge.Gateway.ON_BRIDGE);
        LabBridge.GuestSide guestSide = new LabBridge.GuestSide(
                home.gateway().isEmpty() ? Bridge.Gateway.NONE : Bridge.Gateway.ON_BRIDGE, home.gateway(), home.addresses());
        return LabBridge.build(spec, name, natTable, address.network(), run, host, mtu, address.toString(), guestSide);
    }

    /** The host address, which must be a host of home's subnet (as home writes it) other than home's gateway. */
    private static Cidr checkedAddress(LabBridge home, String name, String hostAddress) {
        Cidr subnet = Cidr.parse(home.cidr());
        String rule = "extension " + name + " of bridge " + home.name() + ": host address '" + hostAddress + "' ";
        Cidr address;
        try {
            address = Cidr.parse(hostAddress);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(rule + "is no address with a prefix length: " + e.getMessage(), e);
        }
        int broadcast = subnet.address() | ~subnet.mask();
        if (address.prefixLength() != subnet.prefixLength() || !subnet.contains(address.address())
                || address.address() == subnet.address() || address.address() == broadcast
                || address.addressText().equals(home.gateway())) {
            throw new IllegalArgumentException(rule + "must be a host of home's subnet " + subnet + " with its prefix, "
                    + "neither its network nor its broadcast address nor its gateway " + home.gateway()
                    + " (claim one from home's addresses)");
        }
        return address;
    }
}
