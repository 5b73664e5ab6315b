package dev.virtunit.internal.lab;

import dev.virtunit.internal.host.ProcessOwner;
import dev.virtunit.internal.text.Xml;

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
 * @param identityPort the host socket of the guest's identity port, for a restore template and its copies
 *                    ({@code GuestRestores}); empty for every other guest
 */
public record DomainPlan(String name, String domainType, int memoryMiB, int vcpus, String run, long pid,
                         List<Disk> disks, List<Nic> nics, Path consoleLog, boolean vnc, Optional<Path> identityPort) {

    /** The XML namespace of our {@code <metadata>} element. */
    public static final String OWNER_NAMESPACE = "https://virtunit.dev/xmlns/owner/1";

    public DomainPlan {
        disks = List.copyOf(disks);
        nics = List.copyOf(nics);
    }

    /** A guest that is neither a restore template nor one of its copies. */
    public DomainPlan(String name, String domainType, int memoryMiB, int vcpus, String run, long pid,
                      List<Disk> disks, List<Nic> nics, Path consoleLog, boolean vnc) {
        this(name, domainType, memoryMiB, vcpus, run, pid, disks, nics, consoleLog, vnc, Optional.empty());
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
     * @param mtu             the link's MTU, 1500 (Ethernet's, no element) or less on a bridge spanning hosts
     */
    public record Nic(String mac, Optional<String> network, Optional<String> bridge, boolean openvswitch,
                      boolean checksumOffload, int vlan, int mtu) {

        /** Ethernet's MTU: a NIC with it gets no {@code <mtu>} element, as before there was one. */
        public static final int ETHERNET_MTU = 1500;

        public static Nic onNetwork(String mac, String network) {
            return new Nic(mac, Optional.of(network), Optional.empty(), false, true, 0, ETHERNET_MTU);
        }

        public static Nic onBridge(String mac, String bridge, boolean openvswitch, boolean checksumOffload, int vlan) {
            return onBridge(mac, bridge, openvswitch, checksumOffload, vlan, ETHERNET_MTU);
        }

        /** A NIC on a bridge whose links have MTU {@code mtu}. */
        public static Nic onBridge(String mac, String bridge, boolean openvswitch, boolean checksumOffload, int vlan,
                                   int mtu) {
            return new Nic(mac, Optional.empty(), Optional.of(bridge), openvswitch, checksumOffload, vlan, mtu);
        }
    }

    /** The domain definition; every value is escaped by {@link Xml}. */
    public String toXml() {
        Xml.Element features = Xml.element("features").child(Xml.element("acpi"))
                // TCG reserves a 1 GiB translation cache per guest by default; 256 MiB costs no boot time (HOST.md).
                .childIf(domainType.equals("qemu"), () -> Xml.element("tcg")
                        .child(Xml.element("tb-cache").attribute("unit", "MiB").text(256)));
        Xml.Element devices = Xml.element("devices");
        disks.forEach(disk -> devices.child(diskXml(disk)));
        nics.forEach(nic -> devices.child(nicXml(nic)));
        devices.child(Xml.element("serial").attribute("type", "pty")
                        .child(Xml.element("log").attribute("file", consoleLog.toString()).attribute("append", "on"))
                        .child(Xml.element("target").attribute("port", 0)))
                .child(Xml.element("console").attribute("type", "pty")
                        .child(Xml.element("target").attribute("type", "serial").attribute("port", 0)));
        // The template mode of the tiny image waits on this port for who it is; <genid/> gives each restored copy
        // a new VM generation ID (libvirt makes a new one on every restore), which kernels with vmgenid reseed from.
        identityPort.ifPresent(socket -> devices.child(Xml.element("channel").attribute("type", "unix")
                .child(Xml.element("source").attribute("mode", "bind").attribute("path", socket.toString()))
                .child(Xml.element("target").attribute("type", "virtio").attribute("name", "dev.virtunit.identity"))));
        if (vnc) {
            devices.child(Xml.element("graphics").attribute("type", "vnc").attribute("port", -1)
                            .attribute("autoport", "yes").attribute("listen", "127.0.0.1"))
                    .child(Xml.element("video").child(Xml.element("model").attribute("type", "vga")));
        }
        devices.child(Xml.element("memballoon").attribute("model", "virtio")
                        .child(Xml.element("stats").attribute("period", 2)))
                // Entropy from the host: an emulated guest otherwise waits seconds for its RNG before SSH can start.
                .child(Xml.element("rng").attribute("model", "virtio")
                        .child(Xml.element("backend").attribute("model", "random").text("/dev/urandom")))
                // A guest kernel that panics tells the hypervisor through this device, and <on_crash> ends the domain:
                // readiness fails at once with the console tail, instead of at the boot timeout.
                .child(Xml.element("panic").attribute("model", "isa")
                        .child(Xml.element("address").attribute("type", "isa").attribute("iobase", "0x505")));
        return Xml.element("domain").attribute("type", domainType)
                .child(Xml.element("name").text(name))
                .childIf(identityPort.isPresent(), () -> Xml.element("genid"))
                .child(Xml.element("metadata").child(Xml.element("vu:owner").attribute("xmlns:vu", OWNER_NAMESPACE)
                        .attribute("run", run).attribute("pid", pid)
                        // The pid means something only on its machine: a sweep of a remote host asks which one.
                        .attribute("machine", ProcessOwner.thisMachine())))
                .child(Xml.element("memory").attribute("unit", "MiB").text(memoryMiB))
                .child(Xml.element("vcpu").text(vcpus))
                .child(Xml.element("os").child(Xml.element("type").attribute("arch", "x86_64").attribute("machine", "pc")
                        .text("hvm")).child(firmwareOnSerialConsole()))
                .child(features)
                .childIf(domainType.equals("kvm"), () -> Xml.element("cpu").attribute("mode", "host-passthrough"))
                .child(Xml.element("on_poweroff").text("destroy"))
                .child(Xml.element("on_reboot").text("restart"))
                .child(Xml.element("on_crash").text("destroy"))
                .child(devices)
                // qemu runs as root for our guests only, so it can read images wherever the user keeps them and
                // libvirt never chowns a user's files; qemu.conf stays as it is.
                .child(Xml.element("seclabel").attribute("type", "static").attribute("model", "dac")
                        .attribute("relabel", "no").child(Xml.element("label").text("+0:+0")))
                .render();
    }

    /**
     * SeaBIOS writes only to the screen, and our guests have none (or a VNC one nobody watches): a disk that does not
     * boot left the console log empty until the boot timeout. {@code useserial='yes'} makes libvirt start QEMU with
     * {@code -machine graphics=off}; SeaBIOS then turns on its own serial console on COM1 (its fw_cfg file
     * {@code etc/sercon-port}, which needs no sgabios ROM), so "Booting from Hard Disk...", "Boot failed: ..." and
     * "No bootable device." reach the console log, as do the screen messages of GRUB and extlinux. With a VGA
     * display SeaBIOS writes to both. {@code rebootTimeout='-1'} keeps QEMU's default explicit: after "No bootable
     * device." the firmware stops instead of rebooting every few seconds, so the console says it once.
     */
    private static Xml.Element firmwareOnSerialConsole() {
        return Xml.element("bios").attribute("useserial", "yes").attribute("rebootTimeout", -1);
    }

    private static Xml.Element diskXml(Disk disk) {
        Xml.Element xml = Xml.element("disk").attribute("type", "file").attribute("device", disk.cdrom() ? "cdrom" : "disk")
                .child(Xml.element("driver").attribute("name", "qemu").attribute("type", disk.format()));
        disk.path().ifPresent(path -> xml.child(Xml.element("source").attribute("file", path.toString())));
        xml.child(Xml.element("target").attribute("dev", disk.target()).attribute("bus", disk.bus()))
                .childIf(disk.cdrom(), () -> Xml.element("readonly"));
        disk.bootOrder().ifPresent(order -> xml.child(Xml.element("boot").attribute("order", order)));
        return xml;
    }

    private static Xml.Element nicXml(Nic nic) {
        Xml.Element xml = Xml.element("interface").attribute("type", nic.network().isPresent() ? "network" : "bridge")
                .child(Xml.element("mac").attribute("address", nic.mac()));
        nic.network().ifPresent(network -> xml.child(Xml.element("source").attribute("network", network)));
        nic.bridge().ifPresent(bridge -> xml.child(Xml.element("source").attribute("bridge", bridge)));
        xml.childIf(nic.openvswitch(), () -> Xml.element("virtualport").attribute("type", "openvswitch"))
                .childIf(nic.vlan() != 0, () -> Xml.element("vlan").child(Xml.element("tag").attribute("id", nic.vlan())))
                .child(Xml.element("model").attribute("type", "virtio"))
                // libvirt sets the tap's MTU and tells the guest through virtio-net (host_mtu): the guest's kernel
                // takes it for its NIC, with no configuration inside the guest.
                .childIf(nic.mtu() != Nic.ETHERNET_MTU, () -> Xml.element("mtu").attribute("size", nic.mtu()));
        if (!nic.checksumOffload()) {
            // OVS's userspace datapath passes offloaded (unfilled) checksums on, and TCP peers drop the
            // segments: ARP and ping work, TCP does not (HOST.md). Full checksums in the guest fix it.
            xml.child(Xml.element("driver").attribute("name", "qemu")
                    .child(offloadsOff(Xml.element("host").attribute("csum", "off").attribute("gso", "off")))
                    .child(offloadsOff(Xml.element("guest").attribute("csum", "off"))));
        }
        // No option ROM: SeaBIOS would otherwise offer PXE boot from every NIC before giving up.
        return xml.child(Xml.element("rom").attribute("enabled", "no"));
    }

    private static Xml.Element offloadsOff(Xml.Element element) {
        return element.attribute("tso4", "off").attribute("tso6", "off").attribute("ecn", "off").attribute("ufo", "off");
    }
}
