package dev.virtunit;

import java.util.Locale;

/**
 * When virtunit removes what it created.
 *
 * @since 0.1
 */
public enum CleanupMode {
    /** Always, whatever the outcome. The default. */
    ALWAYS,
    /**
     * Only when the test passed. A failed test's guests (and the networks and disks they use) are kept, and the
     * log says how to reach them ({@code ssh ...}, {@code virsh console ...}). Remove them later with
     * {@code scripts/check-leftovers --remove}.
     */
    ON_SUCCESS,
    /** Never: everything is kept for inspection. */
    NEVER;

    /**

     * {@return how the setting spells it ({@code virtunit.cleanup=on-success}), for messages and logs}

     *

     * @since 0.2

     */
    public String settingValue() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
