package dev.virtunit.observe;

/**
 * One row of {@code virsh domblklist --details}: a guest disk or CD-ROM.
 *
 * @param target the guest-side target name ({@code vda}, {@code hdc})
 * @param device {@code disk} or {@code cdrom}
 * @param source the host file behind it; empty for an empty CD-ROM drive
 * @param format the image format libvirt opens it with ({@code qcow2}, {@code raw}); empty if unknown
 * @since 0.1
 */
public record DiskInfo(String target, String device, String source, String format) {
}
