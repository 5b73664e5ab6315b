package dev.virtunit;

import dev.virtunit.observe.PingResult;

/**
 * The host's own view of the test networks: pings from the host (the machine running the tests, or the remote
 * libvirt host a lab runs on) to a guest or any address of a test network.
 *
 * @since 0.1
 */
public final class HostPing {

    private HostPing() {
    }

    /**
     * Pings {@code guest}'s first address from the host, 3 echo requests: from the host its lab runs on, which for a
     * lab on a remote libvirt host is that host (since 0.4), as the machine running the tests may have no route there.
     *
     * @return the parsed summary; no replies is a result, not an exception
     * @param guest the guest to ping
     */
    public static PingResult ping(Guest guest) {
        return Providers.labProvider().pingFromHost(guest, 3);
    }

    /**
     * Pings {@code target} from the host with {@code count} echo requests, one a second. Which host pings (since
     * 0.4): while a lab runs on a remote libvirt host, that host (the newest such lab's), which has the routes to its
     * bridges and upstream hosts that the machine running the tests lacks; otherwise the machine running the tests.
     *
     * @return the parsed summary; no replies is a result, not an exception
     * @param target an address or host name, as {@code ping} takes it
     * @param count how many echo requests to send
     */
    public static PingResult ping(String target, int count) {
        return Providers.labProvider().pingFromHost(target, count);
    }
}
