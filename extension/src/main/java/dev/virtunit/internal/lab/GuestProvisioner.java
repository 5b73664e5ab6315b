package dev.virtunit.internal.lab;

import dev.virtunit.Bridge;
import dev.virtunit.InvalidDeclarationException;
import dev.virtunit.observe.InterfaceInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import dev.virtunit.BootSource;
import dev.virtunit.Graphics;
import dev.virtunit.GuestSpec;
import dev.virtunit.Seed;
import dev.virtunit.Segment;
import dev.virtunit.internal.cloudinit.CloudInitSeed;
import dev.virtunit.internal.cloudinit.NicConfig;
import dev.virtunit.internal.host.FileTrees;
import dev.virtunit.internal.host.HostCommands;
import dev.virtunit.internal.host.HostFiles;
import dev.virtunit.internal.image.ImageResolver;
import dev.virtunit.internal.image.RestoreTemplates;
import dev.virtunit.internal.libvirt.Hypervisor;
import dev.virtunit.internal.ssh.SshKeyPair;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Turns a {@link GuestSpec} into a running domain: overlay and blank disks as volumes of the run's pool, a
 * cloud-init seed with a fresh host key (none with {@link Seed#NONE}), the domain definition, and
 * {@code virsh start} once the lab's {@link BootSlots} let it boot. Every step's undo is
 * registered on the guest's own teardown before the step runs, so a failure half-way leaves nothing behind.
 */
final class GuestProvisioner {

    private GuestProvisioner() {
    }

    static LabGuest provision(LabSession lab, GuestSpec spec, String name, String domainType) {
        return provision(lab, spec, name, domainType, true);
    }

    /** @param firstBootBase whether the disk may go on the image's warmed first-boot base (not for the warm-up itself) */
    static LabGuest provision(LabSession lab, GuestSpec spec, String name, String domainType, boolean firstBootBase) {
        Hypervisor hypervisor = lab.hypervisor();
        // Inspect before creating anything: a bad image fails the declaration, not half a guest.
        BootSource boot = spec.bootSource();
        // Resolved and inspected on this machine (a remote host gets the image uploaded, once, by its digest).
        HostCommands local = lab.site().localCommands();
        Optional<DiskImage> inspected = boot instanceof BootSource.DiskImage disk
                ? Optional.of(DiskImage.inspect(new ImageResolver(lab.config().cacheDir(), local).localFile(disk.image()),
                        spec.origin(), local)).map(image -> lab.site().imagePool().map(p -> p.onHost(image)).orElse(image))
                : Optional.empty();
        HostFiles files = lab.hostNetworking().files();

        Teardown teardown = new Teardown();
        SshKeyPair hostKey = SshKeyPair.generateEd25519("root@" + name);
        RunPool pool = lab.pool();
        Path consoleLog = pool.dir().resolve(name + "-console.log");
        NicPlan nicPlan;
        try {
            nicPlan = spec.nics().isEmpty() ? defaultNetworkNic(lab, spec, name, teardown) : bridgeNics(lab, spec, name, teardown);
        } catch (RuntimeException e) {
            teardown.run(); // frees the addresses claimed before the one refused
            throw ProvisioningFailure.naming("guest " + name, e);
        }
        String mac = nicPlan.nics().get(0).mac();
        // A copy of a saved template when it can be (GuestRestores says why not), else the image or its warmed base.
        Path identityPort = pool.dir().resolve(name + ".identity");
        Optional<RestoreTemplates.Template> template;
        Optional<DiskImage> image;
        try {
            template = inspected.isPresent() && firstBootBase
                    ? lab.guestRestores().templateFor(spec, inspected.get(), nicPlan.nics(), name, domainType, identityPort)
                    : Optional.empty();
            image = template.isPresent()
                    ? Optional.of(new DiskImage(template.get().disk(), "qcow2", inspected.get().virtualSize()))
                    : inspected.isPresent() && firstBootBase
                    ? Optional.of(lab.firstBootBases().baseFor(spec, inspected.get(), name, domainType)) : inspected;
        } catch (RuntimeException e) {
            teardown.run(); // frees the addresses claimed for its NICs
            throw e;
        }

        LabGuest guest = new LabGuest(lab, spec, name, mac, nicPlan.addresses(), nicPlan.testNics(), nicPlan.sshNic(),
                hostKey, consoleLog, teardown);
        try {
            List<DomainPlan.Disk> disks = new ArrayList<>();
            int bootOrder = 1;
            if (image.isPresent()) {
                String volume = name + "-disk.qcow2";
                teardown.register("volume " + volume, () -> hypervisor.deleteVolume(pool.name(), volume));
                String path = hypervisor.createVolume(pool.name(), image.get().overlayVolumeXml(volume));
                disks.add(new DomainPlan.Disk(Optional.of(Path.of(path)), "qcow2", false, "vda", Optional.of(bootOrder++)));
            }
            if (boot instanceof BootSource.InstallerCd installer) {
                // A blank disk boots nothing, so the firmware falls through to the installer CD-ROM; once the
                // installer has written the disk, every later boot comes from the disk, as after virt-install.
                String volume = name + "-disk.qcow2";
                teardown.register("volume " + volume, () -> hypervisor.deleteVolume(pool.name(), volume));
                String path = hypervisor.createVolume(pool.name(), DiskImage.blankVolumeXml(volume, installer.diskMiB()));
                disks.add(new DomainPlan.Disk(Optional.of(Path.of(path)), "qcow2", false, "vda", Optional.of(bootOrder++)));
            }
            char nextVirtio = disks.isEmpty() ? 'a' : 'b';
            for (int i = 0; i < spec.blankDisksMiB().size(); i++) {
                String volume = name + "-data" + (i + 1) + ".qcow2";
                teardown.register("volume " + volume, () -> hypervisor.deleteVolume(pool.name(), volume));
                String path = hypervisor.createVolume(pool.name(), DiskImage.blankVolumeXml(volume, spec.blankDisksMiB().get(i)));
                disks.add(new DomainPlan.Disk(Optional.of(Path.of(path)), "qcow2", false, "vd" + nextVirtio++, Optional.empty()));
            }
            // IDE CD-ROMs: the user's ISO first (hdc), our seed after it (hdd); the pc machine has four IDE slots.
            char nextIde = 'c';
            if (boot.cdrom().isPresent()) {
                // The real path: a symbolic link (a cache's "current" link, say) may move while the guest runs.
                Path localIso = realPath(boot.cdrom().get());
                Path iso = lab.site().imagePool().map(p -> p.onHost(localIso, "iso")).orElse(localIso);
                // An ISO inserted beside a disk image is not booted from; a live CD or installer is.
                disks.add(new DomainPlan.Disk(Optional.of(iso), "raw", true, "hd" + nextIde++,
                        boot instanceof BootSource.DiskImage ? Optional.empty() : Optional.of(bootOrder++)));
            }
            CloudInitSeed seed = spec.seed() == Seed.NOCLOUD
                    ? seed(spec, name, hostKey, pool.clientKey(), nicPlan.seedNics()) : null;
            if (template.isPresent()) {
                teardown.register("identity socket " + identityPort, () -> Files.deleteIfExists(identityPort));
            } else if (seed != null) {
                Path seedIso = pool.dir().resolve(name + "-seed.iso");
                teardown.register("seed " + seedIso, () -> files.delete(seedIso));
                writeSeed(lab, seed, seedIso);
                disks.add(new DomainPlan.Disk(Optional.of(seedIso), "raw", true, "hd" + nextIde, Optional.empty()));
            }

            teardown.register("console log " + consoleLog, () -> files.delete(consoleLog));
            DomainPlan plan = new DomainPlan(name, domainType, spec.memoryMiB(), spec.vcpus(), lab.runId(),
                    ProcessHandle.current().pid(), disks, nicPlan.nics(),
                    consoleLog, spec.graphics() == Graphics.VNC, template.map(t -> identityPort));
            teardown.register("domain " + name, () -> {
                hypervisor.destroyDomain(name);
                hypervisor.undefineDomain(name);
            });
            hypervisor.defineDomain(plan.toXml());
            // Started now if the lab has a boot slot free, else queued; a failure to start now is thrown here.
            guest.boot(() -> {
                if (template.isPresent()) {
                    lab.guestRestores().restore(name, template.get(), nicPlan.nics().stream().map(DomainPlan.Nic::mac).toList(),
                            seed.files(), identityPort, spec.bootTimeout().orElse(lab.config().bootTimeout()));
                } else {
                    hypervisor.startDomain(name);
                }
                tuneBridgePorts(lab, spec, guest);
            });
            return guest;
        } catch (RuntimeException e) {
            RuntimeException failure = ProvisioningFailure.naming("guest " + name, e);
            try {
                teardown.run();
            } catch (RuntimeException teardownFailure) {
                failure.addSuppressed(teardownFailure);
            }
            throw failure;
        }
    }

    /**
     * The seed ISO, made by this machine's genisoimage (a remote host need not have it): in place on this machine,
     * else in a local temporary folder and then written into the pool on the lab's host.
     */
    private static void writeSeed(LabSession lab, CloudInitSeed seed, Path seedIso) {
        if (!lab.isRemote()) {
            seed.writeIso(seedIso, lab.host());
            return;
        }
        Path staging = null;
        try {
            staging = Files.createTempDirectory("virtunit-seed-iso-");
            Path local = seed.writeIso(staging.resolve(seedIso.getFileName()), lab.site().localCommands());
            lab.hostNetworking().files().copyFrom(local, seedIso);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make a local folder for the seed " + seedIso.getFileName(), e);
        } finally {
            FileTrees.deleteQuietly(staging);
        }
    }

    private static Path realPath(Path file) {
        try {
            return file.toRealPath();
        } catch (IOException e) {
            throw new InvalidDeclarationException("CD-ROM image '" + file + "' cannot be read: " + e.getMessage());
        }
    }

    /** Per-tap settings that exist only once libvirt made the taps, i.e. after start. */
    private static void tuneBridgePorts(LabSession lab, GuestSpec spec, LabGuest guest) {
        List<InterfaceInfo> taps = guest.interfaces();
        for (int i = 0; i < spec.nics().size() && i < taps.size(); i++) {
            if (lab.labGuests().segmentHere(spec.nics().get(i).segment()) instanceof LabBridge bridge) {
                bridge.guestPortStarted(taps.get(i).device(), lab.hostNetworking());
            }
        }
    }

    /**
     * The guest's NICs plan: its NICs as libvirt sees them and as its seed configures them, in the same order.
     *
     * @param testNics how many NICs the test asked for (an extra one for SSH may follow)
     * @param sshNic   the index of the NIC the host reaches the guest through
     */
    private record NicPlan(List<DomainPlan.Nic> nics, List<NicConfig> seedNics, int testNics, int sshNic) {

        /** Each NIC's MAC with its static address, if it has one (else DHCP): what the guest handle resolves. */
        List<LabGuest.NicAddress> addresses() {
            List<LabGuest.NicAddress> addresses = new ArrayList<>();
            for (NicConfig nic : seedNics) {
                addresses.add(new LabGuest.NicAddress(nic.mac(), nic.dhcp() ? Optional.empty()
                        : Optional.of(withoutPrefix(nic.addresses().get(0)))));
            }
            return addresses;
        }
    }

    private static String withoutPrefix(String cidr) {
        return cidr.substring(0, cidr.indexOf('/'));
    }

    /** One NIC on virtunit's default network: an address virtunit picks, or DHCP when asked. */
    private static NicPlan defaultNetworkNic(LabSession lab, GuestSpec spec, String name, Teardown teardown) {
        DefaultNetwork network = lab.defaultNetwork();
        String mac = Names.newMac();
        NicConfig config = spec.dhcp() || asksDhcpItself(spec, spec.address()) ? NicConfig.dhcp(mac, "eth0")
                // No DHCP round at boot, and the address is known before the guest runs.
                : NicConfig.staticAddress(mac, "eth0", spec.address().map(a -> network.addresses().claim(a, name, teardown)).orElseGet(network.addresses()::next),
                        spec.gateway().orElse(network.subnet().gateway()));
        return new NicPlan(List.of(DomainPlan.Nic.onNetwork(mac, network.name())), List.of(config), 1, 0);
    }

    /**
     * NICs on our bridges and libvirt networks, eth0 first; the default route goes via the first segment with a host
     * gateway, and SSH through it. When no segment has a host address (pure layer-2 bridges), the host could not
     * reach the guest: a last NIC joins virtunit's own network for SSH only, with no default route, so it changes
     * nothing the test looks at.
     */
    private static NicPlan bridgeNics(LabSession lab, GuestSpec spec, String name, Teardown teardown) {
        List<DomainPlan.Nic> nics = new ArrayList<>();
        List<NicConfig> configs = new ArrayList<>();
        boolean routed = false;
        int sshNic = -1;
        for (int i = 0; i < spec.nics().size(); i++) {
            GuestSpec.NicSpec nic = spec.nics().get(i);
            String mac = nic.mac().orElseGet(Names::newMac);
            String device = "eth" + i;
            // On a pool's other host, a home bridge is continued there (SpanningSegments).
            Segment segment = lab.labGuests().segmentHere(nic.segment());
            if (segment instanceof LabBridge bridge) {
                String cidr = nic.address().map(a -> bridge.addresses().claim(a, name, teardown)).orElseGet(bridge.addresses()::next);
                String gateway = null;
                // A tagged port's frames reach the host tagged: the host cannot talk to it, nor route for it.
                if (!routed && !bridge.gateway().isEmpty() && nic.vlan() == 0) {
                    gateway = bridge.gateway();
                    routed = true;
                    sshNic = i;
                    bridge.knowGuestAddress(withoutPrefix(cidr), mac, teardown);
                }
                configs.add(NicConfig.staticAddress(mac, device, cidr, gateway));
                nics.add(DomainPlan.Nic.onBridge(mac, bridge.name(), bridge.kind() == Bridge.Kind.OVS,
                        !bridge.userspaceDatapath(), nic.vlan(), bridge.mtu()));
            } else if (segment instanceof LabLibvirtNetwork network) {
                boolean first = !routed;
                if (nic.address().isEmpty() && network.dhcp()) {
                    // libvirt's dnsmasq gives the address and, for nat and route networks, the default route.
                    configs.add(NicConfig.dhcp(mac, device));
                } else {
                    configs.add(NicConfig.staticAddress(mac, device, nic.address().map(a -> network.addresses().claim(a, name, teardown)).orElseGet(network.addresses()::next),
                            first ? network.gateway() : null));
                }
                routed = true;
                if (first) {
                    sshNic = i;
                }
                nics.add(DomainPlan.Nic.onNetwork(mac, network.name()));
            } else {
                throw new InvalidDeclarationException("NIC " + i + " of " + spec + " is on " + nic.segment()
                        + ", which no virtunit lab made; create it with Lab.bridge or @OvsBridge/@LinuxBridge/@LibvirtNetwork");
            }
        }
        int testNics = nics.size();
        if (sshNic < 0) {
            DefaultNetwork network = lab.defaultNetwork();
            String mac = Names.newMac();
            configs.add(spec.seed() == Seed.NONE ? NicConfig.dhcp(mac, "eth" + testNics)
                    : NicConfig.staticAddress(mac, "eth" + testNics, network.addresses().next(), null));
            nics.add(DomainPlan.Nic.onNetwork(mac, network.name()));
            sshNic = testNics;
        }
        return new NicPlan(nics, configs, testNics, sshNic);
    }

    /**
     * Whether a NIC without a declared address gets one only from DHCP because no seed configures it: an image without
     * a seed sets up its own network, and the address is learned from libvirt's lease ({@code SpecRules} refuses such
     * a NIC where no DHCP server serves it). A declared address is taken as the one the image sets itself.
     */
    private static boolean asksDhcpItself(GuestSpec spec, Optional<String> declaredAddress) {
        return spec.seed() == Seed.NONE && declaredAddress.isEmpty();
    }

    private static CloudInitSeed seed(GuestSpec spec, String name, SshKeyPair hostKey, SshKeyPair clientKey,
                                      List<NicConfig> nics) {
        CloudInitSeed.Builder seed = CloudInitSeed.builder()
                .instanceId(name)
                .hostname(name)
                .authorizedKey(clientKey.publicKeyLine())
                .hostKey(hostKey)
                .user(spec.user())
                .userData(spec.userData());
        nics.forEach(seed::nic);
        return seed.build();
    }
}
