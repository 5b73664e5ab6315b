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

    public static BridgeSpec ovs() {
        return new BridgeSpec(Bridge.Kind.OVS, Optional.empty(), Bridge.Gateway.ON_BRIDGE, Optional.empty(), List.of());
    }

    public static BridgeSpec linux() {
        return new BridgeSpec(Bridge.Kind.LINUX, Optional.empty(), Bridge.Gateway.ON_BRIDGE, Optional.empty(), List.of());
    }

    public BridgeSpec withCidr(String value) {
        return new BridgeSpec(kind, Optional.of(value), gateway, natUplink, portForwards);
    }

    public BridgeSpec withGateway(Bridge.Gateway value) {
        return new BridgeSpec(kind, cidr, value, natUplink, portForwards);
    }

    /** Masquerades the bridge's subnet toward {@code uplinkInterface}. */
    public BridgeSpec withNat(String uplinkInterface) {
        return new BridgeSpec(kind, cidr, gateway, Optional.of(uplinkInterface), portForwards);
    }

    /** Adds a port forward such as {@code tcp:8080->192.168.77.10:80}. */
    public BridgeSpec withPortForward(String forward) {
        List<String> more = new ArrayList<>(portForwards);
        more.add(forward);
        return new BridgeSpec(kind, cidr, gateway, natUplink, more);
    }
}
