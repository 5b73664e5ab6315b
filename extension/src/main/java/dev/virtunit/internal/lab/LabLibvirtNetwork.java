package dev.virtunit.internal.lab;

import dev.virtunit.Network;
import dev.virtunit.NetworkSpec;
import dev.virtunit.internal.libvirt.Hypervisor;
import dev.virtunit.Cidr;
import dev.virtunit.internal.text.Xml;


/** A libvirt network of the lab's; defined, started (autostart off), destroyed and undefined by it. */
final class LabLibvirtNetwork implements Network {

    private final Hypervisor hypervisor;
    private final String name;
    private final String bridge;
    private final Cidr subnet;
    private final Mode mode;
    private final boolean dhcp;
    /** .10 upward, for NICs with no address on a network without DHCP. */
    private final StaticAddresses addresses;

    LabLibvirtNetwork(Hypervisor hypervisor, String name, String bridge, Cidr subnet, Mode mode, boolean dhcp) {
        this.hypervisor = hypervisor;
        this.name = name;
        this.bridge = bridge;
        this.subnet = subnet;
        this.mode = mode;
        this.dhcp = dhcp;
        this.addresses = new StaticAddresses("network " + name, subnet, 10, (1 << (32 - subnet.prefixLength())) - 2, "");
    }

    /**
     * The definition: the host at .1, DHCP over the range asked for with static entries by MAC ({@code .N} resolved
     * in {@code subnet}), and forwarding only toward the spec's uplink when one is given (so a test's NAT cannot reach
     * the real network).
     */
    static String toXml(String name, String bridge, Cidr subnet, NetworkSpec spec) {
        int network = subnet.network().address();
        Xml.Element ip = Xml.element("ip").attribute("address", Cidr.format(network + 1))
                .attribute("prefix", subnet.prefixLength());
        if (spec.dhcp()) {
            Xml.Element dhcp = Xml.element("dhcp").child(Xml.element("range")
                    .attribute("start", Cidr.format(network + spec.dhcpFirst()))
                    .attribute("end", Cidr.format(network + spec.dhcpLast())));
            for (NetworkSpec.DhcpHost host : spec.dhcpHosts()) {
                dhcp.child(Xml.element("host").attribute("mac", host.mac()).attribute("ip", host.addressIn(subnet)));
            }
            ip.child(dhcp);
        }
        return Xml.element("network")
                .child(Xml.element("name").text(name))
                .childIf(spec.mode() != Mode.ISOLATED, () -> {
                    Xml.Element forward = Xml.element("forward").attribute("mode", spec.mode() == Mode.NAT ? "nat" : "route");
                    spec.uplink().ifPresent(dev -> forward.attribute("dev", dev));
                    return forward;
                })
                .child(Xml.element("bridge").attribute("name", bridge).attribute("stp", "off").attribute("delay", 0))
                .child(ip)
                .render();
    }

    StaticAddresses addresses() {
        return addresses;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String cidr() {
        return subnet.network().toString();
    }

    @Override
    public String gateway() {
        return Cidr.format(subnet.network().address() + 1);
    }

    @Override
    public String bridge() {
        return bridge;
    }

    @Override
    public Mode mode() {
        return mode;
    }

    @Override
    public boolean dhcp() {
        return dhcp;
    }

    @Override
    public String xml() {
        return hypervisor.networkXml(name);
    }

    @Override
    public String toString() {
        return "Network[" + name + ", " + mode + ", " + cidr() + (dhcp ? ", DHCP" : "") + "]";
    }
}
