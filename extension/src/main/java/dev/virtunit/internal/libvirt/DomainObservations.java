package dev.virtunit.internal.libvirt;

import dev.virtunit.internal.libvirt.NativeConnect.RawCallFailure;
import dev.virtunit.observe.BlockCounters;
import dev.virtunit.observe.DomainInfo;
import dev.virtunit.observe.GuestState;
import dev.virtunit.observe.InterfaceCounters;
import org.libvirt.Domain;
import org.libvirt.DomainBlockStats;
import org.libvirt.DomainInterface;
import org.libvirt.DomainInterfaceStats;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.MemoryStatistic;
import org.libvirt.jna.virDomainInfo;

import java.net.Inet4Address;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import static dev.virtunit.internal.libvirt.DomainOperations.action;
import static dev.virtunit.internal.libvirt.DomainOperations.on;
import static dev.virtunit.internal.libvirt.LibvirtHandles.check;
import static dev.virtunit.internal.libvirt.LibvirtHandles.use;

/**
 * What libvirt measures about a domain: its state, {@code dominfo}, interface and disk counters, memory statistics
 * and the addresses its DHCP server leased, as the records of {@code dev.virtunit.observe}.
 */
final class DomainObservations {

    /** VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_LEASE: ask libvirt's own dnsmasq, no guest agent needed. */
    private static final int ADDRESSES_FROM_LEASES = 0;

    /** VIR_DOMAIN_MEMORY_STAT_* tag names as {@code virsh dommemstat} prints them, indexed by tag. */
    private static final List<String> MEMORY_STAT_TAGS = List.of("swap_in", "swap_out", "major_fault",
            "minor_fault", "unused", "available", "actual", "rss", "usable", "last_update", "disk_caches",
            "hugetlb_pgalloc", "hugetlb_pgfail");

    /**
     * virDomainState, indexed by value. The bindings' own enum stops at CRASHED (see
     * {@link NativeConnect#rawDomainInfo}).
     */
    private static final List<GuestState> DOMAIN_STATES = List.of(GuestState.NO_STATE, GuestState.RUNNING,
            GuestState.BLOCKED, GuestState.PAUSED, GuestState.SHUTTING_DOWN, GuestState.SHUT_OFF,
            GuestState.CRASHED, GuestState.PM_SUSPENDED);

    private final LibvirtCalls calls;

    DomainObservations(LibvirtCalls calls) {
        this.calls = calls;
    }

    /** The state, or {@link GuestState#UNDEFINED} when no such domain exists. */
    GuestState state(String name) {
        return calls.repeatable(action("read the state of", name), c -> {
            try {
                return guestState(c.rawDomainInfo(name).state);
            } catch (RawCallFailure e) {
                if (e.is(ErrorNumber.VIR_ERR_NO_DOMAIN)) {
                    return GuestState.UNDEFINED;
                }
                throw e;
            }
        });
    }

    DomainInfo info(String name) {
        return calls.repeatable(action("read information about", name), c -> {
            virDomainInfo raw = c.rawDomainInfo(name);
            return use(c.domainLookupByName(name), Domain::free, d -> {
                boolean active = check(d.isActive()) == 1;
                return new DomainInfo(d.getName(), d.getUUIDString(),
                        active ? OptionalInt.of(check(d.getID())) : OptionalInt.empty(), d.getOSType(),
                        guestState(raw.state), Short.toUnsignedInt(raw.nrVirtCpu), Duration.ofNanos(raw.cpuTime),
                        raw.maxMem.longValue(), raw.memory.longValue(), check(d.isPersistent()) == 1,
                        d.getAutostart());
            });
        });
    }

    /** {@code device} is the host-side name (vnet0) or the MAC. */
    InterfaceCounters interfaceCounters(String name, String device) {
        return on(calls, "read the counters of interface '" + device + "' of", name, d -> {
            DomainInterfaceStats s = d.interfaceStats(device);
            return new InterfaceCounters(device, s.rx_bytes, s.rx_packets, s.rx_errs, s.rx_drop, s.tx_bytes,
                    s.tx_packets, s.tx_errs, s.tx_drop);
        });
    }

    /** {@code device} is the target (vda). */
    BlockCounters blockCounters(String name, String device) {
        return on(calls, "read the counters of disk '" + device + "' of", name, d -> {
            DomainBlockStats s = d.blockStats(device);
            return new BlockCounters(device, s.rd_req, s.rd_bytes, s.wr_req, s.wr_bytes, s.errs);
        });
    }

    /**
     * Every tag libvirt reports, under its {@code virsh dommemstat} name; units as in
     * {@link LibvirtHypervisor#memoryStats}.
     */
    Map<String, Long> memoryStats(String name) {
        return on(calls, "read the memory statistics of", name, d -> {
            Map<String, Long> stats = new LinkedHashMap<>();
            for (MemoryStatistic stat : d.memoryStats(MEMORY_STAT_TAGS.size())) {
                int tag = stat.getTag();
                String tagName = tag >= 0 && tag < MEMORY_STAT_TAGS.size() ? MEMORY_STAT_TAGS.get(tag) : "tag_" + tag;
                stats.put(tagName, stat.getValue());
            }
            return Collections.unmodifiableMap(stats);
        });
    }

    /** IPv4 addresses libvirt's DHCP server leased to the NIC with this MAC, whatever its case. */
    List<String> leasedAddresses(String name, String mac) {
        return on(calls, "read the DHCP leases of", name, d -> {
            List<String> addresses = new ArrayList<>();
            for (DomainInterface nic : d.interfaceAddresses(ADDRESSES_FROM_LEASES, 0)) {
                if (nic.hwAddr == null || !nic.hwAddr.equalsIgnoreCase(mac) || nic.addrs == null) {
                    continue;
                }
                for (DomainInterface.InterfaceAddress address : nic.addrs) {
                    if (address.address instanceof Inet4Address) {
                        addresses.add(address.address.getHostAddress());
                    }
                }
            }
            return List.copyOf(addresses);
        });
    }

    private static GuestState guestState(int state) {
        return state >= 0 && state < DOMAIN_STATES.size() ? DOMAIN_STATES.get(state) : GuestState.NO_STATE;
    }
}
