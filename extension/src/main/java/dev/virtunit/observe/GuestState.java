package dev.virtunit.observe;

import dev.virtunit.Guest;

/**
 * The state of a guest as libvirt reports it ({@code virsh domstate}), plus {@link #UNDEFINED} for a guest
 * that libvirt no longer knows.
 *
 * @since 0.1
 */
public enum GuestState {
    NO_STATE,
    RUNNING,
    /** Blocked on a resource; a running guest that is idle can show this. */
    BLOCKED,
    /** Suspended by {@code virsh suspend} / {@link Guest#suspend()}. */
    PAUSED,
    SHUTTING_DOWN,
    SHUT_OFF,
    CRASHED,
    /** Suspended by the guest's own power management. */
    PM_SUSPENDED,
    /** libvirt has no domain of that name (never defined, or already removed). */
    UNDEFINED;

    /** Whether the guest's CPUs can run: {@link #RUNNING} or {@link #BLOCKED}. */
    public boolean isActive() {
        return this == RUNNING || this == BLOCKED;
    }

    /** Whether the guest has stopped for good: it will never answer until someone starts it again. */
    public boolean isDead() {
        return this == SHUT_OFF || this == CRASHED || this == UNDEFINED;
    }
}
