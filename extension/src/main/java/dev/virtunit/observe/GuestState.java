package dev.virtunit.observe;

import dev.virtunit.Guest;

/**
 * The state of a guest as libvirt reports it ({@code virsh domstate}), plus {@link #UNDEFINED} for a guest
 * that libvirt no longer knows.
 *
 * @since 0.1
 */
public enum GuestState {
    /** libvirt reports no state for the domain. */
    NO_STATE,
    /** Running: its CPUs are scheduled. */
    RUNNING,
    /** Blocked on a resource; a running guest that is idle can show this. */
    BLOCKED,
    /** Suspended by {@code virsh suspend} / {@link Guest#suspend()}. */
    PAUSED,
    /** An ACPI shutdown is in progress. */
    SHUTTING_DOWN,
    /** Stopped; defined but not running. */
    SHUT_OFF,
    /** Stopped after the guest or its QEMU process crashed. */
    CRASHED,
    /** Suspended by the guest's own power management. */
    PM_SUSPENDED,
    /** libvirt has no domain of that name (never defined, or already removed). */
    UNDEFINED;

    /** {@return whether the guest's CPUs can run: {@link #RUNNING} or {@link #BLOCKED}} */
    public boolean isActive() {
        return this == RUNNING || this == BLOCKED;
    }

    /** {@return whether the guest has stopped for good: it will never answer until someone starts it again} */
    public boolean isDead() {
        return this == SHUT_OFF || this == CRASHED || this == UNDEFINED;
    }
}
