package dev.virtunit.internal.net;

import java.util.ArrayList;
import dev.virtunit.Cidr;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What {@link NatRules} builds: masquerade of a guest subnet toward an uplink, an inbound filter, and port forwards.
 * Validated when built, so a wrong value fails here with its name rather than inside {@code nft}.
 *
 * @param tableName       the nftables table ({@code ip} family), {@code vu_<id>}; must start with {@code vu}
 * @param sourceCidr      the guests' subnet, such as {@code 192.168.230.0/24}; host bits are cleared
 *                        ({@code 192.168.230.1/24}, the gateway's address, means the same subnet)
 * @param bridgeInterface the interface the guests' traffic enters the host from: the bridge itself when the
 *                        gateway address is on it, or the free veth end when the gateway address is on a veth
 * @param uplinkInterface the interface toward the outside world (an {@link UpstreamNamespace}'s in tests)
 * @param portForwards    destination NATs from the uplink to guests; each guest address inside {@code sourceCidr}
 * @since 0.1
 */
public record NatSpec(String tableName, String sourceCidr, String bridgeInterface, String uplinkInterface,
                      List<PortForward> portForwards) {

    public NatSpec {
        NetworkNames.tableName(tableName);
        Cidr subnet = Cidr.parse(sourceCidr);
        sourceCidr = subnet.network().toString();
        NetworkNames.interfaceName(bridgeInterface);
        NetworkNames.interfaceName(uplinkInterface);
        if (bridgeInterface.equals(uplinkInterface)) {
            throw new IllegalArgumentException("bridge interface and uplink interface are both '" + bridgeInterface
                    + "'; NAT needs traffic to cross from one to another");
        }
        portForwards = List.copyOf(Objects.requireNonNull(portForwards, "portForwards"));
        Set<String> taken = new HashSet<>();
        for (PortForward forward : portForwards) {
            if (!subnet.contains(forward.guestAddress())) {
                throw new IllegalArgumentException("port forward to " + forward.guestAddress() + ":" + forward.guestPort()
                        + " leaves the source subnet " + sourceCidr + "; the forward chain only admits guests on "
                        + bridgeInterface);
            }
            if (!taken.add(forward.protocol().nftName() + "/" + forward.uplinkPort())) {
                throw new IllegalArgumentException("uplink port " + forward.protocol().nftName() + "/"
                        + forward.uplinkPort() + " is forwarded twice");
            }
        }
    }

    /** A spec without port forwards. */
    public NatSpec(String tableName, String sourceCidr, String bridgeInterface, String uplinkInterface) {
        this(tableName, sourceCidr, bridgeInterface, uplinkInterface, List.of());
    }

    /** The same spec with one more port forward. */
    public NatSpec withPortForward(PortForward forward) {
        List<PortForward> more = new ArrayList<>(portForwards);
        more.add(forward);
        return new NatSpec(tableName, sourceCidr, bridgeInterface, uplinkInterface, more);
    }
}
