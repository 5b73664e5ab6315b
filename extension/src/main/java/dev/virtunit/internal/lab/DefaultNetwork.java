package dev.virtunit.internal.lab;

import dev.virtunit.Cidr;
import dev.virtunit.internal.text.Xml;

/**
 * The network a guest joins when it declares none: a libvirt network with no forwarding (nothing leaves the host),
 * the host at {@code .1}, DHCP from {@code .100} to {@code .254}; {@code .2} to {@code .99} are for static addresses.
 *
 * @param name   the libvirt network name
 * @param bridge its bridge device, within Linux's 15 characters
 * @param subnet the subnet leased for it
 */
record DefaultNetwork(String name, String bridge, SubnetLease subnet, StaticAddresses addresses) {

    /** Static addresses .2 to .99; DHCP hands out .100 and up, so the two never meet. */
    DefaultNetwork(String name, String bridge, SubnetLease subnet) {
        this(name, bridge, subnet, new StaticAddresses("network " + name, Cidr.parse(subnet.cidr()),
                2, 99, " (.2 to .99 are taken); give guests dhcp = true, or fewer guests per run"));
    }

    String toXml() {
        return Xml.element("network")
                .child(Xml.element("name").text(name))
                .child(Xml.element("bridge").attribute("name", bridge).attribute("stp", "off").attribute("delay", 0))
                .child(Xml.element("ip").attribute("address", subnet.gateway()).attribute("netmask", "255.255.255.0")
                        .child(Xml.element("dhcp").child(Xml.element("range").attribute("start", subnet.host(100))
                                .attribute("end", subnet.host(254)))))
                .render();
    }
}
