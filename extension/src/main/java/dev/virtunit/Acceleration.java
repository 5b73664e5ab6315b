package dev.virtunit;

/**
 * How guests run: hardware virtualisation (KVM) or software emulation (QEMU's TCG).
 *
 * @since 0.1
 */
public enum Acceleration {
    /**
     * KVM if it is proven to boot a guest on this host, else TCG. {@code /dev/kvm} existing is not proof: some
     * hosts list KVM and boot nothing with it. The answer is cached per host.
     */
    AUTO,
    /** KVM, and fail if it does not work. */
    KVM,
    /** Software emulation: slower, works everywhere. */
    TCG
}
