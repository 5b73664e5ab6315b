package dev.virtunit.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * One NIC of a {@link LibvirtGuest}, for guests with several: {@code nics = {@Nic(network = "lan"), @Nic(network = "wan")}}.
 * The guest sees them as eth0, eth1, ... in this order.
 *
 * @since 0.1
 */
@Target({})
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface Nic {

    /** {@return the name of a {@link OvsBridge} or {@link LinuxBridge} field of the test class} */
    String network();

    /** {@return static address in CIDR notation, or {@code .50} for host 50 of the bridge's subnet; empty picks a free one} */
    String address() default "";

    /** {@return VLAN tag of the guest's port (Open vSwitch bridges only); 0 for none} */
    int vlan() default 0;

    /** {@return the NIC's MAC address, e.g. to match a {@link LibvirtNetwork#dhcpHosts()} entry; empty picks a unique one} */
    String mac() default "";
}
