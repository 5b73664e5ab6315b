package dev.virtunit.junit;

import dev.virtunit.Bridge;

import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares an Open vSwitch bridge of ours on a {@code static} field of type {@link Bridge}. The datapath is the
 * kernel's where the openvswitch module is there, else userspace ({@code netdev}), with what that needs (checksum
 * offload off on guest NICs and veths) applied for you. Guests join it with {@code @LibvirtGuest(network = "<field>")}.
 * <pre>{@code
 * @OvsBridge(gateway = Bridge.Gateway.ON_VETH, natUplink = "internet")
 * static Bridge lan;
 * }</pre>
 *
 * @since 0.1
 */
@Target({ElementType.FIELD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@ExtendWith(LibvirtExtension.class)
public @interface OvsBridge {

    /** {@return the subnet, e.g. {@code 192.168.77.0/24}; empty picks a free /24 no route of this host uses} */
    String cidr() default "";

    /** {@return where the host's gateway address goes} */
    Bridge.Gateway gateway() default Bridge.Gateway.ON_BRIDGE;

    /**
     * Masquerade the bridge's subnet toward this uplink: the name of an {@link UpstreamHost} field of the same
     * class, or a host interface name. Empty: no NAT.
     *
     * @return the field or interface name; empty for no NAT
     */
    String natUplink() default "";

    /** {@return port forwards from the uplink to guests: {@code "tcp:8080->192.168.77.10:80"}} */
    String[] portForwards() default {};
}
