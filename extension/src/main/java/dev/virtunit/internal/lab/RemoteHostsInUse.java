package dev.virtunit.internal.lab;

import java.util.Deque;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * The remote libvirt hosts that have a lab's run on them now, newest last. For what has no lab handle to go by:
 * {@code HostPing.ping(address, count)} pings from the newest one's host, since this machine has no route to a
 * remote lab's bridges. A host joins when its run's lease is written there and leaves when its connection closes,
 * which a lab does last, whether it removed or kept its run.
 */
final class RemoteHostsInUse {

    private static final Deque<LabHost> HOSTS = new ConcurrentLinkedDeque<>();

    private RemoteHostsInUse() {
    }

    static void runStarted(LabHost host) {
        HOSTS.addLast(host);
    }

    static void closed(LabHost host) {
        HOSTS.remove(host);
    }

    /** The host of the newest lab still running on a remote host; empty when every lab running is this machine's. */
    static Optional<LabHost> newest() {
        return Optional.ofNullable(HOSTS.peekLast());
    }
}
