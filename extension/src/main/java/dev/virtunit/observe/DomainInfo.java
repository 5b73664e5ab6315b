package dev.virtunit.observe;

import java.time.Duration;
import java.util.OptionalInt;

/**
 * What {@code virsh dominfo} shows about a guest.
 *
 * @param name          the libvirt domain name
 * @param uuid          the domain UUID
 * @param id            the running domain's numeric id; empty when it is not running
 * @param osType        {@code hvm} for the full virtualisation virtunit uses
 * @param state         the current state
 * @param vcpus         number of virtual CPUs
 * @param cpuTime       CPU time used so far
 * @param maxMemoryKiB  the memory limit
 * @param usedMemoryKiB the memory currently assigned
 * @param persistent    whether the domain is defined (survives being stopped)
 * @param autostart     whether libvirt starts it with the daemon
 * @since 0.1
 */
public record DomainInfo(String name, String uuid, OptionalInt id, String osType, GuestState state, int vcpus,
                         Duration cpuTime, long maxMemoryKiB, long usedMemoryKiB, boolean persistent,
                         boolean autostart) {
}
