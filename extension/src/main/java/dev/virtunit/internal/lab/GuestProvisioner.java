package dev.virtunit.internal.lab;

import dev.virtunit.Graphics;
import dev.virtunit.GuestSpec;
import dev.virtunit.internal.cloudinit.CloudInitSeed;
import dev.virtunit.internal.cloudinit.NicConfig;
import dev.virtunit.internal.libvirt.Hypervisor;
import dev.virtunit.internal.ssh.SshKeyPair;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Turns a {@link GuestSpec} into a running domain: overlay and blank disks as volumes of the run's pool, a
 * cloud-init seed with a fresh host key, the domain definition, and {@code virsh start}. Every step's undo is
 * registered on the guest's own teardown before the step runs, so a failure half-way leaves nothing behind.
 */
final class GuestProvisioner {

    private GuestProvisioner() {
    }

    static LabGuest provision(LabSession lab, GuestSpec spec, String name, String domainType) {
        Hypervisor hypervisor = lab.hypervisor();
        // Inspect before creating anything: a bad image fails the declaration, not half a guest.
        Optional<DiskImage> image = spec.image().map(path -> DiskImage.inspect(path, spec.toString()));

        Teardown teardown = new Teardown();
        String mac = Names.newMac();
        SshKeyPair hostKey = SshKeyPair.generateEd25519("root@" + name);
        Path consoleLog = lab.poolDir().resolve(name + "-console.log");
        DefaultNetwork network = lab.defaultNetwork();
        // No address and no DHCP asked for: pick one, so the guest needs no DHCP round at boot and its address is
        // known before it runs.
        Optional<String> cidr = spec.dhcp() ? Optional.empty()
                : Optional.of(spec.address().orElseGet(() -> network.nextStaticAddress() + "/24"));
        Optional<String> staticAddress = cidr.map(value -> value.substring(0, value.indexOf('/')));

        LabGuest guest = new LabGuest(lab, spec, name, mac, staticAddress, hostKey, consoleLog, teardown);
        try {
            List<DomainPlan.Disk> disks = new ArrayList<>();
            int bootOrder = 1;
            if (image.isPresent()) {
                String volume = name + "-disk.qcow2";
                teardown.register("volume " + volume, () -> hypervisor.deleteVolume(lab.poolName(), volume));
                String path = hypervisor.createVolume(lab.poolName(), image.get().overlayVolumeXml(volume));
                disks.add(new DomainPlan.Disk(Optional.of(Path.of(path)), "qcow2", false, "vda", Optional.of(bootOrder++)));
            }
            if (spec.bootMode() == GuestSpec.BootMode.INSTALL_FROM_CDROM) {
                // A blank disk boots nothing, so the firmware falls through to the installer CD-ROM; once the
                // installer has written the disk, every later boot comes from the disk, as after virt-install.
                String volume = name + "-disk.qcow2";
                teardown.register("volume " + volume, () -> hypervisor.deleteVolume(lab.poolName(), volume));
                String path = hypervisor.createVolume(lab.poolName(), DiskImage.blankVolumeXml(volume, spec.installDiskMiB()));
                disks.add(new DomainPlan.Disk(Optional.of(Path.of(path)), "qcow2", false, "vda", Optional.of(bootOrder++)));
            }
            char nextVirtio = disks.isEmpty() ? 'a' : 'b';
            for (int i = 0; i < spec.blankDisksMiB().size(); i++) {
                String volume = name + "-data" + (i + 1) + ".qcow2";
                teardown.register("volume " + volume, () -> hypervisor.deleteVolume(lab.poolName(), volume));
                String path = hypervisor.createVolume(lab.poolName(), DiskImage.blankVolumeXml(volume, spec.blankDisksMiB().get(i)));
                disks.add(new DomainPlan.Disk(Optional.of(Path.of(path)), "qcow2", false, "vd" + nextVirtio++, Optional.empty()));
            }
            // IDE CD-ROMs: the user's ISO first (hdc), our seed after it (hdd); the pc machine has four IDE slots.
            char nextIde = 'c';
            if (spec.cdrom().isPresent()) {
                // The real path: a symbolic link (a cache's "current" link, say) may move while the guest runs.
                Path iso = realPath(spec.cdrom().get());
                disks.add(new DomainPlan.Disk(Optional.of(iso), "raw", true, "hd" + nextIde++,
                        spec.bootMode() == GuestSpec.BootMode.DISK ? Optional.empty() : Optional.of(bootOrder++)));
            }
            Path seed = lab.poolDir().resolve(name + "-seed.iso");
            teardown.register("seed " + seed, () -> Files.deleteIfExists(seed));
            seed(spec, cidr, name, mac, hostKey, lab.clientKey(), network).writeIso(seed);
            disks.add(new DomainPlan.Disk(Optional.of(seed), "raw", true, "hd" + nextIde, Optional.empty()));

            teardown.register("console log " + consoleLog, () -> Files.deleteIfExists(consoleLog));
            DomainPlan plan = new DomainPlan(name, domainType, spec.memoryMiB(), spec.vcpus(), lab.runId(),
                    ProcessHandle.current().pid(), disks, List.of(new DomainPlan.Nic(mac, network.name(), "virtio")),
                    consoleLog, spec.graphics() == Graphics.VNC);
            teardown.register("domain " + name, () -> {
                hypervisor.destroyDomain(name);
                hypervisor.undefineDomain(name);
            });
            hypervisor.defineDomain(plan.toXml());
            hypervisor.startDomain(name);
            return guest;
        } catch (RuntimeException e) {
            try {
                teardown.run();
            } catch (RuntimeException teardownFailure) {
                e.addSuppressed(teardownFailure);
            }
            throw e;
        }
    }

    private static Path realPath(Path file) {
        try {
            return file.toRealPath();
        } catch (java.io.IOException e) {
            throw new dev.virtunit.InvalidDeclarationException("CD-ROM image '" + file + "' cannot be read: " + e.getMessage());
        }
    }

    private static CloudInitSeed seed(GuestSpec spec, Optional<String> cidr, String name, String mac, SshKeyPair hostKey,
                                      SshKeyPair clientKey, DefaultNetwork network) {
        CloudInitSeed.Builder seed = CloudInitSeed.builder()
                .instanceId(name)
                .hostname(name)
                .authorizedKey(clientKey.publicKeyLine())
                .hostKey(hostKey)
                .userData(spec.userData());
        if (cidr.isPresent()) {
            seed.nic(NicConfig.staticAddress(mac, "eth0", cidr.get(), spec.gateway().orElse(network.subnet().gateway())));
        } else {
            seed.nic(NicConfig.dhcp(mac, "eth0"));
        }
        return seed.build();
    }
}
