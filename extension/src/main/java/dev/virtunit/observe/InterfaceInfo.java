package dev.virtunit.observe;

/**
 * One row of {@code virsh domiflist}: a guest NIC.
 *
 * @param device the host-side device name ({@code vnet0}); empty while the guest is not running
 * @param type   the libvirt interface type: {@code network}, {@code bridge}, ...
 * @param source the libvirt network or bridge the NIC is attached to
 * @param model  the emulated NIC model ({@code virtio}, {@code rtl8139}, ...)
 * @param mac    the MAC address, lower case
 * @since 0.1
 */
public record InterfaceInfo(String device, String type, String source, String model, String mac) {
}
