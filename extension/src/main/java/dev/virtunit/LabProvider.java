package dev.virtunit;

import dev.virtunit.observe.PingResult;

/**
 * The implementation behind the public entry points ({@link Lab#start(LabConfig)}, {@link HostPing}), found through
 * {@link java.util.ServiceLoader} so that this package's API depends on no implementation package. virtunit
 * registers its own in {@code META-INF/services/dev.virtunit.LabProvider}; tests and users call {@link Lab#start()}
 * and {@link HostPing} rather than this.
 *
 * @since 0.2
 */
public interface LabProvider {

    /**
     * Connects to libvirt and sets a run up, as {@link Lab#start(LabConfig)} documents.
     *
     * @return the started lab
     * @param config the settings
     */
    Lab start(LabConfig config);

    /**
     * Pings {@code target} from the host with {@code count} echo requests, as {@link HostPing#ping(String, int)}
     * documents: while a lab runs on a remote libvirt host, from that host (since 0.4).
     *
     * @return the parsed summary
     * @param target an address or host name
     * @param count how many echo requests to send
     */
    PingResult pingFromHost(String target, int count);

    /**
     * Pings {@code guest} from the host its lab runs on with {@code count} echo requests, as
     * {@link HostPing#ping(Guest)} documents: for a lab on a remote libvirt host, from that host, which has a route
     * to the guest's network. This default pings from the machine running the tests.
     *
     * @return the parsed summary
     * @param guest the guest to ping (its first address)
     * @param count how many echo requests to send
     * @since 0.4
     */
    default PingResult pingFromHost(Guest guest, int count) {
        return pingFromHost(guest.address(), count);
    }
}
