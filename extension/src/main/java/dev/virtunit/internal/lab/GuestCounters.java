package dev.virtunit.internal.lab;

import dev.virtunit.VirtunitException;
import dev.virtunit.internal.libvirt.Hypervisor;
import dev.virtunit.observe.BlockCounters;
import dev.virtunit.observe.DiskInfo;
import dev.virtunit.observe.DomainInfo;
import dev.virtunit.observe.GuestState;
import dev.virtunit.observe.GuestStats;
import dev.virtunit.observe.InterfaceCounters;
import dev.virtunit.observe.InterfaceInfo;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** A guest's statistics at one moment, as {@code virsh domstats} shows them: read NIC by NIC and disk by disk. */
final class GuestCounters {

    private GuestCounters() {
    }

    /** Counters of each running NIC and each disk with a source; none while the guest is off. */
    static GuestStats read(Hypervisor hypervisor, String name, DomainInfo info, Supplier<List<InterfaceInfo>> interfaces,
                           Supplier<List<DiskInfo>> disks) {
        List<InterfaceCounters> nics = new ArrayList<>();
        List<BlockCounters> blocks = new ArrayList<>();
        if (info.state().isActive() || info.state() == GuestState.PAUSED) {
            for (InterfaceInfo nic : interfaces.get()) {
                if (!nic.device().isEmpty()) {
                    nics.add(hypervisor.interfaceCounters(name, nic.device()));
                }
            }
            for (DiskInfo disk : disks.get()) {
                if (!disk.source().isEmpty()) {
                    blocks.add(hypervisor.blockCounters(name, disk.target()));
                }
            }
        }
        return new GuestStats(info.state(), info.cpuTime(), info.vcpus(),
                info.state().isActive() ? hypervisor.memoryStats(name) : Map.of(), nics, blocks);
    }

    /** The counters of the first NIC; throws when it has no port (the guest is off). */
    static InterfaceCounters firstNic(Hypervisor hypervisor, String name, List<InterfaceInfo> nics,
                                      Supplier<GuestState> state) {
        if (nics.isEmpty() || nics.get(0).device().isEmpty()) {
            throw new VirtunitException("guest " + name + " has no running NIC to count (state " + state.get() + ")");
        }
        return hypervisor.interfaceCounters(name, nics.get(0).device());
    }
}
