package dev.virtunit.junit;

import dev.virtunit.Bridge;
import dev.virtunit.BridgeSpec;
import dev.virtunit.InvalidDeclarationException;
import dev.virtunit.Network;
import dev.virtunit.NetworkSpec;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** Checks {@link OvsBridge}, {@link LinuxBridge} and {@link UpstreamHost} fields and turns them into specs. */
final class NetworkDeclaration {

    private NetworkDeclaration() {
    }

    static String annotationName(Field field) {
        return field.isAnnotationPresent(OvsBridge.class) ? "@OvsBridge" : "@LinuxBridge";
    }

    static String describe(Field field, String annotation) {
        return annotation + " field [" + field.getDeclaringClass().getName() + "." + field.getName() + "]";
    }

    /** Networks live for the class: static, not final, of the handle type. */
    static void checkField(Field field, Class<?> type, String annotation) {
        String where = describe(field, annotation);
        String declaration = "static " + type.getSimpleName() + " " + field.getName() + ";";
        if (!type.equals(field.getType())) {
            throw new InvalidDeclarationException(where + " has type " + field.getType().getName() + "; it must be "
                    + type.getName() + ". Declare it as `" + declaration + "`");
        }
        if (!Modifier.isStatic(field.getModifiers())) {
            throw new InvalidDeclarationException(where + " must be static: networks live for the whole class. "
                    + "Declare it as `" + declaration + "`");
        }
        if (Modifier.isFinal(field.getModifiers())) {
            throw new InvalidDeclarationException(where + " must not be final; declare it as `" + declaration + "`");
        }
    }

    static BridgeSpec toSpec(Field field, List<Field> upstreamFields) {
        OvsBridge ovs = field.getAnnotation(OvsBridge.class);
        LinuxBridge linux = field.getAnnotation(LinuxBridge.class);
        String where = describe(field, annotationName(field));
        if (ovs != null && linux != null) {
            throw new InvalidDeclarationException(where + " is both @OvsBridge and @LinuxBridge; a field is one "
                    + "bridge: keep @OvsBridge (VLAN tags, the userspace datapath) or @LinuxBridge");
        }
        Bridge.Kind kind = ovs != null ? Bridge.Kind.OVS : Bridge.Kind.LINUX;
        String cidr = ovs != null ? ovs.cidr() : linux.cidr();
        Bridge.Gateway gateway = ovs != null ? ovs.gateway() : linux.gateway();
        String uplink = ovs != null ? ovs.natUplink() : linux.natUplink();
        String[] forwards = ovs != null ? ovs.portForwards() : linux.portForwards();
        return DeclarationProblems.build(where, List.of(), () -> new BridgeSpec(kind, optional(cidr), gateway,
                optional(uplink), Arrays.asList(forwards)));
    }

    /**
     * Checks a {@code @LibvirtNetwork} field and its attributes before anything of the class is made, with the
     * uplink as declared (an {@code @UpstreamHost} field's interface is known only once that host exists).
     */
    static void checkNetworkField(Field field) {
        checkField(field, Network.class, "@LibvirtNetwork");
        LibvirtNetwork declared = field.getAnnotation(LibvirtNetwork.class);
        toNetworkSpec(field, declared, declared.uplink().isEmpty() ? null : declared.uplink());
    }

    static NetworkSpec toNetworkSpec(Field field, LibvirtNetwork declared, String uplink) {
        String where = describe(field, "@LibvirtNetwork");
        List<String> problems = new ArrayList<>();
        List<NetworkSpec.DhcpHost> hosts = new ArrayList<>();
        for (String host : declared.dhcpHosts()) {
            String[] parts = host.split("=");
            if (parts.length == 2) {
                hosts.add(new NetworkSpec.DhcpHost(parts[0].strip(), parts[1].strip()));
            } else {
                problems.add("dhcpHosts entry '" + host + "' is not of the form MAC=ADDRESS such as "
                        + "52:54:00:00:00:12=192.168.122.12 (or =.12 for host 12 of the subnet)");
            }
        }
        if (declared.dhcpRange().length != 2) {
            throw new InvalidDeclarationException(where + " is invalid: dhcpRange needs two host parts {first, last}, e.g. {100, 254}");
        }
        return DeclarationProblems.build(where, problems, () -> new NetworkSpec(declared.mode(), optional(declared.cidr()),
                declared.dhcp(), declared.dhcpRange()[0], declared.dhcpRange()[1], hosts, Optional.ofNullable(uplink)));
    }

    /** An annotation's "" means "not given". */
    private static Optional<String> optional(String attribute) {
        return attribute.isEmpty() ? Optional.empty() : Optional.of(attribute);
    }
}
