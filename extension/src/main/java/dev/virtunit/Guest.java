package dev.virtunit;

import dev.virtunit.observe.BlockCounters;
import dev.virtunit.observe.DiskInfo;
import dev.virtunit.observe.DomainInfo;
import dev.virtunit.observe.GuestState;
import dev.virtunit.observe.GuestStats;
import dev.virtunit.observe.InterfaceCounters;
import dev.virtunit.observe.InterfaceInfo;
import dev.virtunit.junit.LibvirtGuest;
import dev.virtunit.observe.PingResult;

import java.time.Duration;
import java.util.List;

/**
 * A live virtual machine: what {@code virt-install} and {@code virsh} do by hand, as methods. Handed to a test by
 * {@link LibvirtGuest} or made by {@link Lab#guest(GuestSpec)}; it is ready (running, addressed, answering SSH)
 * when the test gets it, and removed with its disks and keys afterwards.
 *
 * @since 0.1
 */
public interface Guest {

    /** {@return the libvirt domain name} */
    String name();

    /**
     * The host the guest runs on: its name in {@code virtunit.hosts} in a lab over several hosts, else {@code local}
     * for this machine or the remote libvirt host's name.
     *
     * @return the host's name, as the lab's log and a guest's {@code host} declaration name it
     * @since 0.4
     */
    default String host() {
        return "local";
    }

    /** {@return the libvirt domain UUID} */
    String uuid();

    /** {@return the MAC address of the first NIC, lower case} */
    String mac();

    /** {@return the guest's IPv4 addresses: the declared static one, or what DHCP leased} */
    List<String> addresses();

    /** {@return the first of {@link #addresses()}; throws if the guest has none (a live CD without network, say)} */
    String address();

    /** {@return an SSH login to the guest as the configured user, verifying the host key virtunit injected} */
    Ssh ssh();

    /**
     * An SSH login as {@code user} with the same credentials and host key check as {@link #ssh()}: with virtunit's
     * seed both root and the configured user accept the run's key, so a test can log in as either.
     *
     * @param user the user to log in as, e.g. {@code root}
     * @return an SSH login as {@code user}; it connects on first use
     * @since 0.2
     */
    Ssh ssh(String user);

    /**
     * Pings {@code target} from inside the guest, 3 echo requests.
     *
     * @return the parsed summary; an unreachable target is a result with no replies, not an exception
     * @param target an address or host name, as {@code ping} takes it
     */
    PingResult ping(String target);

    /**
     * Pings {@code target} from inside the guest with {@code count} echo requests.
     *
     * @return the parsed summary; an unreachable target is a result with no replies, not an exception
     * @param target an address or host name, as {@code ping} takes it
     * @param count how many echo requests to send
     */
    PingResult ping(String target, int count);

    /**
     * NIC {@code nic} (0 for the first, in declaration order) seen from the host: take it down, impair it, capture on
     * it.
     *
     * @param nic the NIC's index, 0 for the first
     * @return the host side of that NIC
     * @throws VirtunitException when the guest has no such NIC or it is not running
     * @since 0.2
     */
    GuestLink link(int nic);

    /**

     * {@return the first NIC's link; see {@link #link(int)}}

     *

     * @since 0.2

     */
    default GuestLink link() {
        return link(0);
    }

    // ---- lifecycle, as virsh does it ----

    /** {@code virsh start}, then waits until the guest is ready again. */
    void start();

    /**
     * {@code virsh shutdown}: asks the guest to power off (ACPI), waits up to the boot timeout, then forces it off
     * ({@code virsh destroy}) and logs a warning that it did; {@link #shutdown(Duration)} takes another grace period.
     */
    void shutdown();

    /**
     * Asks the guest to power off and waits up to {@code timeout}; if it is still running, forces it off.
     *
     * @param timeout how long to wait for the guest to power off by itself
     */
    void shutdown(Duration timeout);

    /** {@code virsh destroy}: pulls the plug. */
    void destroy();

    /** {@code virsh reboot}, then waits until the guest is ready again. */
    void reboot();

    /** {@code virsh suspend}: the guest's CPUs stop; it answers nothing until resumed. */
    void suspend();

    /** {@code virsh resume}. */
    void resume();

    /** {@return {@code virsh domstate}} */
    GuestState state();

    /** Waits until the guest runs, has an address and answers SSH (as far as its spec asks for). */
    void awaitReady();

    // ---- observations, as virsh shows them ----

    /** {@return {@code virsh dominfo}} */
    DomainInfo info();

    /** {@return {@code virsh domstats}: state, CPU, memory, and the counters of every NIC and disk} */
    GuestStats stats();

    /** {@return {@code virsh domiflist}} */
    List<InterfaceInfo> interfaces();

    /** {@return {@code virsh domblklist --details}} */
    List<DiskInfo> disks();

    /**
     * {@return {@code virsh domifstat} of the NIC with this host-side device name (vnet0) or MAC}
     *
     * @param device the host-side device name, e.g. {@code vnet0}, or the NIC's MAC
     */
    InterfaceCounters interfaceCounters(String device);

    /** {@return {@code virsh domifstat} of the first NIC} */
    InterfaceCounters interfaceCounters();

    /**
     * {@return {@code virsh domblkstat} of the disk with this target name (vda)}
     *
     * @param target the disk's target name, e.g. {@code vda}
     */
    BlockCounters blockCounters(String target);

    /** {@return {@code virsh dumpxml}} */
    String xml();

    /** {@return everything the guest wrote to its serial console so far} */
    String consoleLog();
}
