package dev.virtunit.bench;

/**
 * Who built the topology: virtunit's {@code Lab} with guests booted cold, the same with guests restored from a saved
 * template ({@code virtunit.restore=on}), or the plain script a user would otherwise write.
 *
 * @since 0.3
 */
public enum Tool {
    /** virtunit's {@code Lab} API, every guest booted (restoring off). */
    VIRTUNIT("virtunit", "virtunit"),
    /** {@code bench/baseline/topology.sh}: virsh, qemu-img, genisoimage, ovs-vsctl, ip, nft and ssh. */
    BASELINE("baseline", "baseline"),
    /**
     * virtunit's {@code Lab} API with {@code virtunit.restore=on}: every guest restored from the template of its
     * shape, saved once before the measured runs.
     *
     * @since 0.4
     */
    RESTORED("virtunit restored", "restored");

    private final String label;
    private final String key;

    Tool(String label, String key) {
        this.label = label;
        this.key = key;
    }

    /** {@return the tool's name in tables and the plot's legend} */
    public String label() {
        return label;
    }

    /**
     * {@return the tool's name in the CSV files: a word without spaces}
     *
     * @since 0.4
     */
    public String key() {
        return key;
    }
}
