package dev.virtunit;

import dev.virtunit.junit.LinuxBridge;
import dev.virtunit.junit.OvsBridge;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a bridge should be: the immutable form of {@link OvsBridge} and {@link LinuxBridge}, for code too. Checked
 * whole when made: every broken rule is reported together in one {@link InvalidDeclarationException}.
 *
 * @param kind          Open vSwitch or Linux
 * @param cidr          the subnet; empty picks a free /24
 * @param gateway       where the host's gateway address goes
 * @param natUplink     the host interface to masquerade toward (an {@link Upstream#uplinkInterface()}); empty: no NAT
 * @param portForwards  {@code tcp:8080->192.168.77.10:80} style forwards from the uplink to guests
 * @since 0.1
 */
public record BridgeSpec(Bridge.Kind kind, Optional<String> cidr, Bridge.Gateway gateway, Optional<String> natUplink,
                         List<String> portForwards) {

    /**
     * Checks the whole spec; copies {@code portForwards}.
     *
     * @param kind          Open vSwitch or Linux
     * @param cidr          the subnet; empty picks a free /24
     * @param gateway       where the host's gateway address goes
     * @param natUplink     the host interface to masquerade toward (an {@link Upstream#uplinkInterface()}); empty: no NAT
     * @param portForwards  {@code tcp:8080->192.168.77.10:80} style forwards from the uplink to guests
     * @throws InvalidDeclarationException listing every rule the spec breaks
     */
    public BridgeSpec {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(cidr, "cidr");
        Objects.requireNonNull(gateway, "gateway");
        Objects.requireNonNull(natUplink, "natUplink");
        portForwards = List.copyOf(portForwards);
        List<String> problems = SpecRules.bridgeProblems(kind, cidr, gateway, natUplink, portForwards);
        if (!problems.isEmpty()) {
            throw new InvalidDeclarationException(kind == Bridge.Kind.OVS ? "Open vSwitch bridge" : "Linux bridge", problems);
        }
    }

    /** {@return an Open vSwitch bridge with a free /24, the gateway on the bridge, no NAT and no port forwards} */
    public static BridgeSpec ovs() {
        return new BridgeSpec(Bridge.Kind.OVS, Optional.empty(), Bridge.Gateway.ON_BRIDGE, Optional.empty(), List.of());
    }

    /** {@return a Linux bridge with a free /24, the gateway on the bridge, no NAT and no port forwards} */
    public static BridgeSpec linux() {
        return new BridgeSpec(Bridge.Kind.LINUX, Optional.empty(), Bridge.Gateway.ON_BRIDGE, Optional.empty(), List.of());
    }

    /**
     * A copy with this subnet.
     *
     * @param value the subnet in CIDR notation, e.g. {@code 192.168.77.0/24}
     * @return the new spec
     * @throws InvalidDeclarationException when the subnet is malformed or breaks another rule
     */
    public BridgeSpec withCidr(String value) {
        return new BridgeSpec(kind, Optional.of(value), gateway, natUplink, portForwards);
    }

    /**
     * A copy with the gateway address placed as {@code value} says.
     *
     * @param value where the host's gateway address goes
     * @return the new spec
     */
    public BridgeSpec withGateway(Bridge.Gateway value) {
        return new BridgeSpec(kind, cidr, value, natUplink, portForwards);
    }

    /**
     * Masquerades the bridge's subnet toward {@code uplinkInterface}.
     *
     * @return a copy with NAT; this spec is unchanged
     * @param uplinkInterface a host interface, e.g. {@link Upstream#uplinkInterface()}
     */
    public BridgeSpec withNat(String uplinkInterface) {
        return new BridgeSpec(kind, cidr, gateway, Optional.of(uplinkInterface), portForwards);
    }

    /**
     * Adds a port forward such as {@code tcp:8080->192.168.77.10:80}.
     *
     * @return a copy with the forward added after the others; this spec is unchanged
     * @param forward {@code proto:hostPort->guestAddress:guestPort}, as {@link PortForwardRule#parse(String)} reads it
     */
    public BridgeSpec withPortForward(String forward) {
        List<String> more = new ArrayList<>(portForwards);
        more.add(forward);
        return new BridgeSpec(kind, cidr, gateway, natUplink, more);
    }
}
