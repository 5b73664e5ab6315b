package dev.virtunit.internal.lab;

import dev.virtunit.internal.libvirt.Hypervisor;

import java.util.List;

/**
 * Several guests removed at once: their domains are destroyed together first, then each guest's own teardown runs,
 * newest first. A destroy waits until QEMU's process is gone, reaped by the host's init; on this project's machines
 * init reaps about once a second, and one guest after another that second is paid per guest (lab close, a class's
 * guests, {@code Lab.guests} failing).
 */
final class GuestRemoval {

    private GuestRemoval() {
    }

    /**
     * Removes {@code guests}, each whatever happened to the others.
     *
     * @throws dev.virtunit.VirtunitException after all were removed, if any removal failed
     */
    static void together(Hypervisor hypervisor, List<LabGuest> guests) {
        guests.forEach(LabGuest::stopUsing);
        // Only saves time: a domain not destroyed here is destroyed by its guest's teardown, which reports why not.
        hypervisor.destroyDomains(guests.stream().map(LabGuest::name).toList());
        Teardown each = new Teardown();
        guests.forEach(guest -> each.register("guest " + guest.name(), guest::remove));
        each.run();
    }
}
