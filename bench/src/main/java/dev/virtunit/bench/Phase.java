package dev.virtunit.bench;

/**
 * The phases of one topology run, timed separately. {@link #key()} is how the baseline script names each phase in
 * its output ({@code bench phase=boot seconds=5.91}).
 *
 * @since 0.3
 */
public enum Phase {
    /** Upstream namespace, OVS bridge with its gateway veth, the NAT table (and for virtunit the lab itself). */
    PROVISION("provision", "provision"),
    /** Every guest created, started and answering {@code ssh true}. */
    BOOT("boot", "boot to SSH"),
    /** One ping from every guest, one guest after another, through NAT to the upstream. */
    FIRST_ASSERTION("ping", "first NAT ping"),
    /** Everything removed. */
    TEARDOWN("teardown", "teardown");

    private final String key;
    private final String label;

    Phase(String key, String label) {
        this.key = key;
        this.label = label;
    }

    /** {@return the phase's name in the baseline script's output and in the CSV} */
    public String key() {
        return key;
    }

    /** {@return the phase's name in the table} */
    public String label() {
        return label;
    }

    /**
     * The phase the baseline script calls {@code key}.
     *
     * @param key a phase's {@link #key()}
     * @return the phase
     * @throws IllegalArgumentException naming the key and the known ones
     */
    public static Phase ofKey(String key) {
        for (Phase phase : values()) {
            if (phase.key.equals(key)) {
                return phase;
            }
        }
        throw new IllegalArgumentException("unknown phase '" + key + "': the baseline script must name each phase "
                + "one of provision, boot, ping, teardown");
    }
}
