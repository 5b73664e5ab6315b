package dev.virtunit.internal.net;

import dev.virtunit.Cidr;

import dev.virtunit.VirtunitException;
import dev.virtunit.internal.host.CommandResult;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * "The outside world" of a NAT test: a network namespace connected to the host by a veth pair, running an
 * {@link EchoServer} that reports the source address of everything reaching it. The host end of the pair is the
 * NAT's uplink interface. Test traffic thus never leaves the machine (shared/HOST.md forbids reaching the real
 * uplink), yet crosses a real routing and NAT step.
 *
 * <p>The namespace has no default route and no route to any guest subnet, like the real internet has no route back
 * to private addresses: only NAT makes answers possible, so a missing translation shows as a datagram arriving
 * from the guest's own address that is never answered. {@link #routeViaHost} adds such a route on purpose, to play
 * a neighbour on the uplink that tries to reach the guests directly.
 *
 * @since 0.1
 */
public final class UpstreamNamespace implements AutoCloseable {

    private final HostNetworking host;
    private final String namespace;
    private final String uplinkInterface;
    private final String namespaceInterface;
    private final Cidr hostEnd;
    private final Cidr upstream;
    private EchoService echo;
    /** Set once the names were found free: from then on everything under them is ours to remove. */
    private boolean claimed;

    private UpstreamNamespace(HostNetworking host, String namespace, String uplinkInterface, String namespaceInterface,
                              Cidr hostEnd, Cidr upstream) {
        this.host = host;
        this.namespace = namespace;
        this.uplinkInterface = uplinkInterface;
        this.namespaceInterface = namespaceInterface;
        this.hostEnd = hostEnd;
        this.upstream = upstream;
    }

    /**
     * Creates namespace {@code name} with links {@code <name>h} (host end, the uplink) and {@code <name>n} (inside),
     * and starts the echo server on free ports.
     *
     * @param name         at most 14 characters, so the link names fit in 15; {@code vu...}
     * @param hostCidr     the host end's address, e.g. {@code 192.168.231.1/24}
     * @param upstreamCidr the namespace end's address in the same subnet, e.g. {@code 192.168.231.2/24}
     */
    public static UpstreamNamespace start(HostNetworking host, String name, String hostCidr, String upstreamCidr) {
        return start(host, name, name + "h", name + "n", hostCidr, upstreamCidr, 0, 0);
    }

    /**
     * Creates the upstream with explicit names and ports (0: a free port). On any failure, what was created is
     * removed again before the exception propagates.
     */
    public static UpstreamNamespace start(HostNetworking host, String namespace, String uplinkInterface,
                                          String namespaceInterface, String hostCidr, String upstreamCidr,
                                          int tcpPort, int udpPort) {
        Objects.requireNonNull(host, "host");
        NetworkNames.namespaceName(namespace);
        NetworkNames.interfaceName(uplinkInterface);
        NetworkNames.interfaceName(namespaceInterface);
        Cidr hostEnd = Cidr.parse(hostCidr);
        Cidr upstream = Cidr.parse(upstreamCidr);
        if (!hostEnd.network().equals(upstream.network())) {
            throw new IllegalArgumentException("host address " + hostCidr + " and upstream address " + upstreamCidr
                    + " must be in the same subnet: they are the two ends of one link");
        }
        if (hostEnd.address() == upstream.address()) {
            throw new IllegalArgumentException("host and upstream both have address " + hostEnd.addressText());
        }
        UpstreamNamespace created = new UpstreamNamespace(host, namespace, uplinkInterface, namespaceInterface,
                hostEnd, upstream);
        try {
            created.create(tcpPort, udpPort);
        } catch (RuntimeException e) {
            // The step's own message names a veth end or an address; this names the upstream host it was for.
            VirtunitException failure = new VirtunitException("cannot create upstream host " + namespace + ": "
                    + e.getMessage(), e);
            try {
                created.close();
            } catch (RuntimeException cleanup) {
                failure.addSuppressed(cleanup);
            }
            throw failure;
        }
        return created;
    }

    private void create(int tcpPort, int udpPort) {
        // Never adopt (and later delete) what someone else created under the same names. One listing for both.
        List<String> present = host.links().links();
        for (String link : List.of(uplinkInterface, namespaceInterface)) {
            if (present.contains(link)) {
                throw new VirtunitException("link " + link + " already exists (left by a dead run? "
                        + "scripts/check-leftovers lists it)");
            }
        }
        if (host.namespaces().namespaceExists(namespace)) {
            throw new VirtunitException("the network namespace already exists (left by a dead run? "
                    + "scripts/check-leftovers lists it)");
        }
        claimed = true;
        IpLinks links = host.links();
        host.namespaces().addNamespace(namespace);
        links.addVethPairInto(uplinkInterface, namespaceInterface, namespace);
        links.addAddressIn(namespace, namespaceInterface, upstream.toString());
        links.linkUpIn(namespace, namespaceInterface);
        links.addAddress(uplinkInterface, hostEnd.toString());
        // Not awaited here: its JVM gets ready while the lab boots guests; the first use of it waits (EchoService).
        echo = EchoService.startListening(host.java(), host.namespaces(), namespace, tcpPort, udpPort,
                EchoService.DEFAULT_READY_TIMEOUT);
    }

    /** The upstream's own address (the namespace end), which guests send to. */
    public String address() {
        return upstream.addressText();
    }

    /** The host end's address: the source the upstream must see when masquerading works. */
    public String hostAddress() {
        return hostEnd.addressText();
    }

    /** The host end of the veth pair: the NAT's uplink interface. */
    public String uplinkInterface() {
        return uplinkInterface;
    }

    public String namespace() {
        return namespace;
    }

    public int tcpPort() {
        return echo.tcpPort();
    }

    public int udpPort() {
        return echo.udpPort();
    }

    /** Every connection and datagram the echo server saw, oldest first. */
    public List<Peer> peersSeen() {
        return echo.peersSeen();
    }

    public int peerCount() {
        return echo.peerCount();
    }

    public Optional<Peer> lastPeer() {
        return echo.lastPeer();
    }

    /** See {@link EchoService#awaitPeer}. */
    public Peer awaitPeer(Predicate<? super Peer> matching, Duration timeout) {
        return echo.awaitPeer(matching, timeout);
    }

    /** See {@link EchoService#awaitPeerAfter}. */
    public Peer awaitPeerAfter(int mark, String protocol, Duration timeout) {
        return echo.awaitPeerAfter(mark, protocol, timeout);
    }

    /**
     * Adds a route to {@code subnet} via the host end, as a neighbour on the uplink that tries to reach the guests
     * directly would have; the NAT's forward chain must drop such traffic.
     */
    public void routeViaHost(String subnet) {
        host.routes().addRouteIn(namespace, subnet, hostEnd.addressText());
    }

    /** Runs {@code argv} inside the upstream's namespace (a {@link NetProbe}, say); any exit code is returned. */
    public CommandResult exec(List<String> argv) {
        return host.namespaces().execIn(namespace, argv);
    }

    /**
     * A TCP {@link NetProbe} of {@code address:port} from inside the upstream, run by the host's java; any exit code
     * is returned ({@link NetProbe#ANSWERED}: its stdout is the answer).
     *
     * @since 0.4
     */
    public CommandResult probeTcp(String address, int port, String message, Duration timeout) {
        return exec(NetProbe.tcp(host.java(), address, port, message, timeout));
    }

    /**
     * Stops the echo server and deletes the namespace and the veth pair. Idempotent, and safe after a creation that
     * failed half-way; it tries every step and reports all failures together.
     */
    @Override
    public void close() {
        if (!claimed) {
            return;
        }
        List<RuntimeException> failures = new ArrayList<>();
        if (echo != null) {
            run(failures, echo::close);
        }
        run(failures, () -> host.namespaces().deleteNamespace(namespace));
        // Deleting the namespace destroys its end and with it the host end; this covers a pair never moved in.
        run(failures, () -> host.links().deleteLink(uplinkInterface));
        if (!failures.isEmpty()) {
            VirtunitException error = new VirtunitException("cannot remove upstream host " + namespace + " completely: "
                    + failures.stream().map(Throwable::getMessage).toList());
            failures.forEach(error::addSuppressed);
            throw error;
        }
    }

    private static void run(List<RuntimeException> failures, Runnable step) {
        try {
            step.run();
        } catch (RuntimeException e) {
            failures.add(e);
        }
    }
}
