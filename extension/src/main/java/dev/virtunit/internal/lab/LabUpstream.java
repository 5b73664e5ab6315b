package dev.virtunit.internal.lab;

import dev.virtunit.Segment;
import dev.virtunit.internal.net.NetProbe;
import dev.virtunit.Guest;
import dev.virtunit.Upstream;
import dev.virtunit.internal.net.UpstreamNamespace;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The {@link Upstream} handle over the namespace, veth pair and echo service of {@link UpstreamNamespace}. */
final class LabUpstream implements Upstream {

    private final UpstreamNamespace host;
    /** Which tool each guest sends its UDP probe with, found on first use. */
    private final GuestUdpProbe udpProbe = new GuestUdpProbe();

    LabUpstream(UpstreamNamespace host) {
        this.host = host;
    }

    @Override
    public String name() {
        return host.namespace();
    }

    @Override
    public String address() {
        return host.address();
    }

    @Override
    public String hostAddress() {
        return host.hostAddress();
    }

    @Override
    public String uplinkInterface() {
        return host.uplinkInterface();
    }

    @Override
    public int tcpPort() {
        return host.tcpPort();
    }

    @Override
    public int udpPort() {
        return host.udpPort();
    }

    @Override
    public List<Peer> peersSeen() {
        return host.peersSeen().stream().map(p -> new Peer(p.protocol(), p.address(), p.port())).toList();
    }

    @Override
    public Optional<String> sourceSeenFrom(Guest guest, Duration timeout) {
        int mark = host.peerCount();
        udpProbe.send(guest.name(), guest.ssh()::exec, address(), udpPort(), timeout);
        try {
            return Optional.of(host.awaitPeerAfter(mark, "udp", timeout).address());
        } catch (RuntimeException nothingArrived) {
            return Optional.empty();
        }
    }

    @Override
    public Optional<String> tcpFrom(String address, int port, Duration timeout) {
        var result = host.probeTcp(address, port, "probe", timeout);
        return result.exitCode() == NetProbe.ANSWERED ? Optional.of(result.stdout())
                : Optional.empty();
    }

    @Override
    public void routeThroughHost(Segment segment) {
        host.routeViaHost(segment.cidr());
    }

    void remove() {
        host.close();
    }

    @Override
    public String toString() {
        return "Upstream[" + name() + ", " + address() + ", uplink " + uplinkInterface() + "]";
    }
}
