package dev.virtunit.internal.lab;

import dev.virtunit.BootSource;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A guest that will not boot, as its serial console says: the firmware found nothing it could boot from, or a boot
 * loader gave up. Nothing more happens in such a guest, so waiting for its SSH port until the boot timeout would only
 * waste the time; {@link BootFailureWatch} finds these on the console while readiness waits.
 *
 * @param line     the console line that says the boot is over
 * @param speaker  who said it: the firmware or a boot loader, by name
 * @param attempts the boot attempts and errors that led to it, oldest first ("Booting from Hard Disk...",
 *                 "Boot failed: not a bootable disk"); for a kernel panic, the console lines just before it
 */
record BootFailure(String line, String speaker, List<String> attempts) {

    private static final String BIOS_ONLY = "an image that boots only with UEFI needs UEFI firmware, which virtunit does "
            + "not offer yet (its guests boot with SeaBIOS)";
    private static final String BOOTABLE_DISK = "Use a bootable disk image: an MBR or GPT partition table with a BIOS "
            + "boot loader installed (GRUB for i386-pc, or extlinux/syslinux); " + BIOS_ONLY + ".";
    private static final String BOOTABLE_CD = "Use a bootable ISO: one with an El Torito boot record for BIOS (isolinux, "
            + "or GRUB's eltorito.img, as genisoimage or xorriso -b make it); a plain data ISO does not boot, and "
            + BIOS_ONLY;

    /** The speaker of a kernel panic: the boot got past firmware and boot loader, so their remedies do not apply. */
    static final String KERNEL = "the guest's kernel";
    private static final String KERNEL_PANICKED = "The kernel started, then panicked; the lines before its panic "
            + "say why. \"Unable to mount root fs\" or \"Attempted to kill init!\" mean no usable root filesystem or "
            + "init: the initramfs needs the disk's driver (virtio-blk here) and root= must name the disk. \"IO-APIC + "
            + "timer doesn't work\" under software emulation on a busy host is a timing failure: add no_timer_check to "
            + "the image's kernel command line, or boot fewer guests at once (virtunit.boot.concurrency).";

    BootFailure {
        attempts = List.copyOf(attempts);
    }

    /**
     * What did not boot, what the console said, and what to do about it, to follow "did not boot" in a failure
     * message: {@code from its disk image /images/blank.qcow2: the firmware (SeaBIOS) says "No bootable device." ...}.
     */
    String explain(BootSource source) {
        String said = ": " + speaker + " says \"" + line + "\"" + (attempts.isEmpty() ? "" : " after "
                + attempts.stream().map(attempt -> "\"" + attempt + "\"").collect(Collectors.joining(", "))) + ". ";
        boolean kernel = KERNEL.equals(speaker);
        if (source instanceof BootSource.LiveCd live) {
            return "from its live CD " + live.iso() + said + (kernel ? KERNEL_PANICKED : BOOTABLE_CD + ".");
        }
        if (source instanceof BootSource.InstallerCd installer) {
            return "from its installer CD " + installer.iso() + " nor from the disk it installs" + said
                    + (kernel ? KERNEL_PANICKED : BOOTABLE_CD
                    + "; once it has run, the installer must have put a BIOS boot loader on the disk.");
        }
        return "from its disk image " + ((BootSource.DiskImage) source).image() + said
                + (kernel ? KERNEL_PANICKED : BOOTABLE_DISK);
    }

}
