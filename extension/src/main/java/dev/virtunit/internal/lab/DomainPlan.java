package dev.virtunit.internal.lab;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Everything a libvirt domain definition needs, resolved: paths exist, names are unique, MACs chosen. {@link #toXml()}
 * renders it; nothing here talks to libvirt.
 *
 * @param name        the domain name
 * @param domainType  {@code kvm} or {@code qemu} (software emulation)
 * @param memoryMiB   memory
 * @param vcpus       virtual CPUs
 * @param run         the owning run's id, recorded in the domain's metadata so a sweep can find it
 * @param pid         the owning JVM's process id, likewise
 * @param disks       disks and CD-ROMs in the order they are attached
 * @param nics        network interfaces
 * @param consoleLog  where the serial console is logged
 * @param vnc         whether to add a VNC display on the host's loopback
 */
public record DomainPlan(String name, String domainType, int memoryMiB, int vcpus, String run, long pid,
                         List<Disk> disks, List<Nic> nics, Path consoleLog, boolean vnc) {

    /** The XML namespace of our {@code <metadata>} element. */
    public static final String OWNER_NAMESPACE = "https://virtunit.dev/xmlns/owner/1";

    public DomainPlan {
        disks = List.copyOf(disks);
        nics = List.copyOf(nics);
    }

    /**
     * A disk or CD-ROM.
     *
     * @param path       the host file; empty for an empty CD-ROM drive
     * @param format     {@code qcow2} or {@code raw}
     * @param cdrom      a CD-ROM rather than a disk
     * @param target     the guest-side name: {@code vda} (virtio) or {@code hdc} (IDE)
     * @param bootOrder  the firmware's boot order, 1 first; empty for not bootable
     */
    public record Disk(Optional<Path> path, String format, boolean cdrom, String target, Optional<Integer> bootOrder) {

        String bus() {
            return target.startsWith("vd") ? "virtio" : "ide";
        }
    }

    /**
     * A NIC.
     *
     * @param mac             its MAC address
     * @param network         the libvirt network it joins; empty when it plugs into a bridge
     * @param bridge          the bridge it plugs into; empty when it joins a libvirt network
     * @param openvswitch     whether the bridge is Open vSwitch's
     * @param checksumOffload false on OVS's userspace datapath, which drops TCP segments with offloaded checksums
     * @param vlan            VLAN tag of the port; 0 for none
     */
    public record Nic(String mac, Optional<String> network, Optional<String> bridge, boolean openvswitch,
                      boolean checksumOffload, int vlan) {

        public static Nic onNetwork(String mac, String network) {
            return new Nic(mac, Optional.of(network), Optional.empty(), false, true, 0);
        }

        public static Nic onBridge(String mac, String bridge, boolean openvswitch, boolean checksumOffload, int vlan) {
            return new Nic(mac, Optional.empty(), Optional.of(bridge), openvswitch, checksumOffload, vlan);
        }
    }

    public String toXml() {
        StringBuilder xml = new StringBuilder();
        xml.append("<domain type='").append(attr(domainType)).append("'>\n");
        xml.append("  <name>").append(text(name)).append("</name>\n");
        xml.append("  <metadata>\n");
        xml.append("    <vu:owner xmlns:vu='").append(OWNER_NAMESPACE).append("' run='").append(attr(run))
                .append("' pid='").append(pid).append("'/>\n");
        xml.append("  </metadata>\n");
        xml.append("  <memory unit='MiB'>").append(memoryMiB).append("</memory>\n");
        xml.append("  <vcpu>").append(vcpus).append("</vcpu>\n");
        xml.append("  <os>\n    <type arch='x86_64' machine='pc'>hvm</type>\n  </os>\n");
        xml.append("  <features>\n    <acpi/>\n");
        if (domainType.equals("qemu")) {
            // TCG reserves a 1 GiB translation cache per guest by default; 256 MiB costs no boot time (HOST.md).
            xml.append("    <tcg><tb-cache unit='MiB'>256</tb-cache></tcg>\n");
        }
        xml.append("  </features>\n");
        if (domainType.equals("kvm")) {
            xml.append("  <cpu mode='host-passthrough'/>\n");
        }
        xml.append("  <on_poweroff>destroy</on_poweroff>\n  <on_reboot>restart</on_reboot>\n");
        xml.append("  <on_crash>destroy</on_crash>\n");
        xml.append("  <devices>\n");
        for (Disk disk : disks) {
            xml.append("    <disk type='file' device='").append(disk.cdrom() ? "cdrom" : "disk").append("'>\n");
            xml.append("      <driver name='qemu' type='").append(attr(disk.format())).append("'/>\n");
            disk.path().ifPresent(path -> xml.append("      <source file='").append(attr(path.toString())).append("'/>\n"));
            xml.append("      <target dev='").append(attr(disk.target())).append("' bus='").append(disk.bus()).append("'/>\n");
            if (disk.cdrom()) {
                xml.append("      <readonly/>\n");
            }
            disk.bootOrder().ifPresent(order -> xml.append("      <boot order='").append(order).append("'/>\n"));
            xml.append("    </disk>\n");
        }
        for (Nic nic : nics) {
            xml.append("    <interface type='").append(nic.network().isPresent() ? "network" : "bridge").append("'>\n");
            xml.append("      <mac address='").append(attr(nic.mac())).append("'/>\n");
            nic.network().ifPresent(network -> xml.append("      <source network='").append(attr(network)).append("'/>\n"));
            nic.bridge().ifPresent(bridge -> xml.append("      <source bridge='").append(attr(bridge)).append("'/>\n"));
            if (nic.openvswitch()) {
                xml.append("      <virtualport type='openvswitch'/>\n");
            }
            if (nic.vlan() != 0) {
                xml.append("      <vlan><tag id='").append(nic.vlan()).append("'/></vlan>\n");
            }
            xml.append("      <model type='virtio'/>\n");
            if (!nic.checksumOffload()) {
                // OVS's userspace datapath passes offloaded (unfilled) checksums on, and TCP peers drop the
                // segments: ARP and ping work, TCP does not (HOST.md). Full checksums in the guest fix it.
                xml.append("      <driver name='qemu'><host csum='off' gso='off' tso4='off' tso6='off' ecn='off' ufo='off'/>"
                        + "<guest csum='off' tso4='off' tso6='off' ecn='off' ufo='off'/></driver>\n");
            }
            // No option ROM: SeaBIOS would otherwise offer PXE boot from every NIC before giving up.
            xml.append("      <rom enabled='no'/>\n");
            xml.append("    </interface>\n");
        }
        xml.append("    <serial type='pty'>\n");
        xml.append("      <log file='").append(attr(consoleLog.toString())).append("' append='on'/>\n");
        xml.append("      <target port='0'/>\n    </serial>\n");
        xml.append("    <console type='pty'><target type='serial' port='0'/></console>\n");
        if (vnc) {
            xml.append("    <graphics type='vnc' port='-1' autoport='yes' listen='127.0.0.1'/>\n");
            xml.append("    <video><model type='vga'/></video>\n");
        }
        xml.append("    <memballoon model='virtio'><stats period='2'/></memballoon>\n");
        // Entropy from the host: an emulated guest otherwise waits seconds for its RNG before SSH can start.
        xml.append("    <rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>\n");
        // A guest kernel that panics tells the hypervisor through this device, and <on_crash> ends the domain:
        // readiness fails at once with the console tail, instead of at the boot timeout.
        xml.append("    <panic model='isa'><address type='isa' iobase='0x505'/></panic>\n");
        xml.append("  </devices>\n");
        // qemu runs as root for our guests only, so it can read images wherever the user keeps them and
        // libvirt never chowns a user's files; qemu.conf stays as it is.
        xml.append("  <seclabel type='static' model='dac' relabel='no'><label>+0:+0</label></seclabel>\n");
        xml.append("</domain>\n");
        return xml.toString();
    }

    static String attr(String value) {
        return text(value).replace("'", "&apos;").replace("\"", "&quot;");
    }

    static String text(String value) {
        return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
