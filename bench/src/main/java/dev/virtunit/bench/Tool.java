package dev.virtunit.bench;

/**
 * Who built the topology: virtunit's {@code Lab}, or the plain script a user would otherwise write.
 *
 * @since 0.3
 */
public enum Tool {
    /** virtunit's {@code Lab} API. */
    VIRTUNIT("virtunit"),
    /** {@code bench/baseline/topology.sh}: virsh, qemu-img, genisoimage, ovs-vsctl, ip, nft and ssh. */
    BASELINE("baseline");

    private final String label;

    Tool(String label) {
        this.label = label;
    }

    /** {@return the tool's name in tables, the CSV and the plot's legend} */
    public String label() {
        return label;
    }
}
