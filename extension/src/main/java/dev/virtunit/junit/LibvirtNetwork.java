package dev.virtunit.junit;

import dev.virtunit.Network;

import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares a libvirt network of ours on a {@code static} field of type {@link Network}: defined, started with
 * autostart off, destroyed and undefined afterwards. The seed's default network is
 * {@code @LibvirtNetwork(mode = Network.Mode.NAT) static Network net;}. Guests join it with
 * {@code @LibvirtGuest(network = "<field>")}, taking a DHCP lease unless they declare an address.
 *
 * @since 0.1
 */
@Target({ElementType.FIELD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@ExtendWith(LibvirtExtension.class)
public @interface LibvirtNetwork {

    /** {@return how the network reaches the outside: {@link Network.Mode#NAT} (the default), routed, or isolated} */
    Network.Mode mode() default Network.Mode.NAT;

    /** {@return the subnet, e.g. {@code 192.168.122.0/24}; empty picks a free /24. The host is {@code .1}} */
    String cidr() default "";

    /** {@return whether libvirt's dnsmasq serves DHCP} */
    boolean dhcp() default true;

    /** {@return the DHCP range as host parts of the subnet, {@code {first, last}}; addresses below it are for static use} */
    int[] dhcpRange() default {100, 254};

    /**
     * Static DHCP entries {@code "52:54:00:00:00:12=192.168.122.12"} (or {@code "52:54:00:00:00:12=.12"}): this MAC
     * always gets this address. Give the guest's NIC that MAC with {@code @Nic(mac = ...)}.
     *
     * @return the {@code MAC=address} entries; empty for none
     */
    String[] dhcpHosts() default {};

    /**
     * NAT or route only toward this uplink: an {@link UpstreamHost} field of the test class or a host interface.
     * Empty: libvirt forwards toward whatever the host routes to (the real world).
     *
     * @return the field or interface name; empty for the host's own routing
     */
    String uplink() default "";
}
