package dev.virtunit.observe;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What {@code virsh domstats} reports for one guest, in types.
 *
 * @param state        the guest's state
 * @param cpuTime      CPU time used
 * @param vcpus        virtual CPUs
 * @param memoryKiB    memory statistics by libvirt's tag ({@code actual}, {@code rss}, ...), in KiB
 * @param interfaces   the counters of every NIC
 * @param disks        the counters of every disk
 * @since 0.1
 */
public record GuestStats(GuestState state, Duration cpuTime, int vcpus, Map<String, Long> memoryKiB,
                         List<InterfaceCounters> interfaces, List<BlockCounters> disks) {

    /**
     * Copies the map and lists, so the record is immutable.
     *
     * @param state      the guest's state
     * @param cpuTime    CPU time used
     * @param vcpus      virtual CPUs
     * @param memoryKiB  memory statistics by libvirt's tag, in KiB; copied
     * @param interfaces the counters of every NIC; copied
     * @param disks      the counters of every disk; copied
     */
    public GuestStats {
        memoryKiB = Map.copyOf(memoryKiB);
        interfaces = List.copyOf(interfaces);
        disks = List.copyOf(disks);
    }
}
