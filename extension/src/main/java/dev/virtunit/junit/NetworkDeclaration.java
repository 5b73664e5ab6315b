package dev.virtunit.junit;

import dev.virtunit.Bridge;
import dev.virtunit.BridgeSpec;
import dev.virtunit.InvalidDeclarationException;
import dev.virtunit.Network;
import dev.virtunit.NetworkSpec;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
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
            throw new InvalidDeclarationException(where + " is both @OvsBridge and @LinuxBridge; keep one");
        }
        Bridge.Kind kind = ovs != null ? Bridge.Kind.OVS : Bridge.Kind.LINUX;
        String cidr = ovs != null ? ovs.cidr() : linux.cidr();
        Bridge.Gateway gateway = ovs != null ? ovs.gateway() : linux.gateway();
        String uplink = ovs != null ? ovs.natUplink() : linux.natUplink();
        String[] forwards = ovs != null ? ovs.portForwards() : linux.portForwards();
        try {
            return new BridgeSpec(kind, cidr.isEmpty() ? Optional.empty() : Optional.of(cidr), gateway,
                    uplink.isEmpty() ? Optional.empty() : Optional.of(uplink), Arrays.asList(forwards));
        } catch (InvalidDeclarationException e) {
            throw new InvalidDeclarationException(where + " is invalid: " + e.getMessage());
        }
    }

    static NetworkSpec toNetworkSpec(Field field, LibvirtNetwork declared, String uplink) {
        String where = describe(field, "@LibvirtNetwork");
        java.util.List<String[]> hosts = new java.util.ArrayList<>();
        for (String host : declared.dhcpHosts()) {
            String[] parts = host.split("=");
            if (parts.length != 2 || !parts[0].strip().toLowerCase(java.util.Locale.ROOT).matches("([0-9a-f]{2}:){5}[0-9a-f]{2}")
                    || !parts[1].strip().matches("\\d+\\.\\d+\\.\\d+\\.\\d+|\\.\\d+")) {
                throw new InvalidDeclarationException(where + " is invalid: dhcpHosts entry '" + host + "' is not of the "
                        + "form 52:54:00:00:00:12=192.168.122.12");
            }
            hosts.add(new String[] {parts[0].strip().toLowerCase(java.util.Locale.ROOT), parts[1].strip()});
        }
        if (!hosts.isEmpty() && !declared.dhcp()) {
            throw new InvalidDeclarationException(where + " is invalid: dhcpHosts need dhcp = true");
        }
        if (declared.mode() == Network.Mode.ISOLATED && !declared.uplink().isEmpty()) {
            throw new InvalidDeclarationException(where + " is invalid: an isolated network forwards nowhere; drop uplink "
                    + "or use mode NAT or ROUTE");
        }
        if (declared.dhcpRange().length != 2) {
            throw new InvalidDeclarationException(where + " is invalid: dhcpRange needs two host parts {first, last}, e.g. {100, 254}");
        }
        try {
            return new NetworkSpec(declared.mode(), declared.cidr().isEmpty() ? Optional.empty() : Optional.of(declared.cidr()),
                    declared.dhcp(), declared.dhcpRange()[0], declared.dhcpRange()[1], hosts, Optional.ofNullable(uplink));
        } catch (InvalidDeclarationException e) {
            throw new InvalidDeclarationException(where + " is invalid: " + e.getMessage());
        }
    }
}
