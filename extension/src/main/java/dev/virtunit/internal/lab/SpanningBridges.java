package dev.virtunit.internal.lab;

/**
 * The bridge-spanning steps of a lab ({@link HostTopology#linkMtu}, {@link HostTopology#extension}) for code outside
 * this package: the ITs that join two labs' bridges by hand ({@code it/.../remote/SpanningBridgeIT}). Code in this
 * package (a lab of several hosts) calls {@link LabSession#hostTopology()} directly. {@link LabBridge#addTunnel} is
 * public already.
 *
 * @since 0.4
 */
public final class SpanningBridges {

    private SpanningBridges() {
    }

    /** Sets the MTU of the bridges {@code lab} makes from now on; see {@link HostTopology#linkMtu}. */
    public static void linkMtu(LabSession lab, int mtu) {
        lab.hostTopology().linkMtu(mtu);
    }

    /**
     * Makes an extension of {@code home} (a bridge of another lab, on another host) on {@code lab}'s host, with
     * {@code hostAddress} on its device; see {@link HostTopology#extension}.
     */
    public static LabBridge extension(LabSession lab, LabBridge home, String hostAddress) {
        return lab.hostTopology().extension(home, hostAddress);
    }
}
