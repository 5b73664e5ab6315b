package dev.virtunit.internal.lab;

import dev.virtunit.VirtunitException;
import dev.virtunit.internal.libvirt.Hypervisor;
import dev.virtunit.observe.GuestState;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * A guest's NICs and their addresses: each NIC's static address, or what libvirt's DHCP leased it (asked each time,
 * as a lease can come or change); the test's NICs first, then, if the host needs one, the NIC it reaches the guest by.
 */
final class GuestAddresses {

    private final Hypervisor hypervisor;
    private final String guest;
    private final String mac;
    private final List<LabGuest.NicAddress> nics;
    private final int testNics;
    /** The NIC SSH and readiness use. */
    private final int sshNic;

    GuestAddresses(Hypervisor hypervisor, String guest, String mac, List<LabGuest.NicAddress> nics, int testNics,
                   int sshNic) {
        this.hypervisor = hypervisor;
        this.guest = guest;
        this.mac = mac;
        this.nics = List.copyOf(nics);
        this.testNics = testNics;
        this.sshNic = sshNic;
    }

    List<LabGuest.NicAddress> nics() {
        return nics;
    }

    int testNics() {
        return testNics;
    }

    /** The addresses of the test's NICs, in NIC order. */
    List<String> ofTestNics() {
        List<String> addresses = new ArrayList<>();
        for (LabGuest.NicAddress nic : nics.subList(0, testNics)) {
            addresses.addAll(of(nic));
        }
        return addresses;
    }

    /** The first of {@link #ofTestNics()}; none yet fails naming the guest's {@code state}. */
    String first(Supplier<GuestState> state) {
        List<String> addresses = ofTestNics();
        if (addresses.isEmpty()) {
            throw new VirtunitException("guest " + guest + " has no IPv4 address yet (no static address declared, and "
                    + "no DHCP lease for " + mac + "); state " + state.get());
        }
        return addresses.get(0);
    }

    /** The SSH NIC's address; none yet fails naming the guest's {@code state}. */
    String ssh(Supplier<GuestState> state) {
        List<String> addresses = of(nics.get(sshNic));
        if (addresses.isEmpty()) {
            throw new VirtunitException("guest " + guest + " has no address on its NIC " + nics.get(sshNic).mac()
                    + " yet (no DHCP lease); state " + state.get());
        }
        return addresses.get(0);
    }

    boolean hasSsh() {
        return !of(nics.get(sshNic)).isEmpty();
    }

    List<String> of(int nic) {
        return of(nics.get(nic));
    }

    private List<String> of(LabGuest.NicAddress nic) {
        return nic.staticAddress().map(List::of).orElseGet(() -> hypervisor.leasedAddresses(guest, nic.mac()));
    }
}
