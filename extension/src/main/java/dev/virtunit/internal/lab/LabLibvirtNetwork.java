package dev.virtunit.internal.lab;

import dev.virtunit.Network;
import dev.virtunit.internal.libvirt.Hypervisor;
import dev.virtunit.Cidr;

import java.util.List;
import java.util.Optional;

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
     * The definition: the host at .1, DHCP over the range asked for with static entries by MAC, and forwarding
     * only toward {@code uplink} when one is given (so a test's NAT cannot reach the real network).
     */
    static String toXml(String name, String bridge, Cidr subnet, Mode mode, dev.virtunit.NetworkSpec spec) {
        boolean dhcp = spec.dhcp();
        List<String[]> hosts = spec.dhcpHosts();
        Optional<String> uplink = spec.uplink();
        int network = subnet.network().address();
        StringBuilder xml = new StringBuilder("<network>\n  <name>").append(name).append("</name>\n");
        if (mode != Mode.ISOLATED) {
            xml.append("  <forward mode='").append(mode == Mode.NAT ? "nat" : "route").append("'")
                    .append(uplink.map(dev -> " dev='" + DomainPlan.attr(dev) + "'").orElse("")).append("/>\n");
        }
        xml.append("  <bridge name='").append(bridge).append("' stp='off' delay='0'/>\n");
        xml.append("  <ip address='").append(Cidr.format(network + 1)).append("' prefix='")
                .append(subnet.prefixLength()).append("'>\n");
        if (dhcp) {
            xml.append("    <dhcp>\n      <range start='").append(Cidr.format(network + spec.dhcpFirst())).append("' end='")
                    .append(Cidr.format(network + spec.dhcpLast())).append("'/>\n");
            for (String[] host : hosts) {
                xml.append("      <host mac='").append(DomainPlan.attr(host[0])).append("' ip='")
                        .append(DomainPlan.attr(host[1])).append("'/>\n");
            }
            xml.append("    </dhcp>\n");
        }
        xml.append("  </ip>\n</network>\n");
        return xml.toString();
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
