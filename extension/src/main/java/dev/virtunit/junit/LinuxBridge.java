package dev.virtunit.junit;

import dev.virtunit.Bridge;

import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares a Linux kernel bridge of ours on a {@code static} field of type {@link Bridge}.
 * Guests join it with {@code @LibvirtGuest(network = "<field>")}. With the gateway on a veth pair and NAT this is the
 * seed notes' failing set-up: with bridge netfilter on, connections get their conntrack entry while crossing the
 * bridge, before the masquerade rule can match, so they leave untranslated. Put the gateway on the bridge itself.
 * <pre>{@code
 * @LinuxBridge(gateway = Bridge.Gateway.ON_BRIDGE, natUplink = "internet")
 * static Bridge lan;
 * }</pre>
 *
 * @since 0.1
 */
@Target({ElementType.FIELD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@ExtendWith(LibvirtExtension.class)
public @interface LinuxBridge {

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
