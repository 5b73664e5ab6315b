package dev.virtunit.internal.lab;

import dev.virtunit.GuestSpec;
import dev.virtunit.PoolHost;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One host of a {@link HostPool}: its lab, its capacity as libvirt reports it when the lab starts (logical CPUs from
 * the capabilities' NUMA cells, free memory), the load the lab's guests put on it, and the names of the guests that
 * ran there, for the closing log.
 */
final class PoolMember {

    private static final Pattern CELL_CPUS = Pattern.compile("<cpus num='(\\d+)'");

    private final PoolHost host;
    private final LabSession lab;
    private final int cores;
    private final long freeMemoryMiB;
    private int guests;
    private int vcpus;
    private long memoryMiB;
    private final List<String> ran = new ArrayList<>();

    PoolMember(PoolHost host, LabSession lab) {
        this.host = host;
        this.lab = lab;
        this.cores = cores(lab.hypervisor().capabilitiesXml());
        OptionalLong free = lab.hypervisor().freeMemoryBytes();
        this.freeMemoryMiB = free.isPresent() ? free.getAsLong() / (1024 * 1024) : -1;
    }

    /** The logical CPUs of the host's NUMA cells; 0 when the capabilities do not list them. */
    static int cores(String capabilitiesXml) {
        Matcher cells = CELL_CPUS.matcher(capabilitiesXml);
        int total = 0;
        while (cells.find()) {
            total += Integer.parseInt(cells.group(1));
        }
        return total;
    }

    PoolHost host() {
        return host;
    }

    LabSession lab() {
        return lab;
    }

    synchronized GuestPlacement.Load load() {
        return new GuestPlacement.Load(host, cores, freeMemoryMiB, guests, vcpus, memoryMiB, ran.size());
    }

    /** Whether a guest of {@code guestMemoryMiB} fits the host's free memory with none of the lab's guests on it. */
    boolean couldEverHold(long guestMemoryMiB) {
        return freeMemoryMiB < 0 || freeMemoryMiB >= guestMemoryMiB;
    }

    synchronized void take(GuestSpec spec) {
        guests++;
        vcpus += spec.vcpus();
        memoryMiB += spec.memoryMiB();
    }

    synchronized void give(GuestSpec spec) {
        guests--;
        vcpus -= spec.vcpus();
        memoryMiB -= spec.memoryMiB();
    }

    synchronized void placed(String name) {
        ran.add(name);
    }

    /** {@code kvm1 (qemu+ssh://root@kvm1/system): 4 cores, 12.0 GiB free, no limit}, for the starting log. */
    String describe() {
        return host.name() + " (" + host.libvirtUri() + "): " + (cores <= 0 ? "cores unknown" : cores + " cores")
                + ", " + (freeMemoryMiB < 0 ? "free memory unknown" : String.format(Locale.ROOT, "%.1f GiB free",
                freeMemoryMiB / 1024.0)) + ", " + host.limitText();
    }

    /** {@code kvm1: vu-ab12-a, vu-ab12-b}, for the closing log. */
    synchronized String history() {
        return host.name() + ": " + (ran.isEmpty() ? "no guest" : String.join(", ", ran));
    }
}
