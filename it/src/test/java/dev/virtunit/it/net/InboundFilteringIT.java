package dev.virtunit.it.net;

import dev.virtunit.internal.host.CommandResult;
import dev.virtunit.internal.net.EchoService;
import dev.virtunit.internal.net.NatRules;
import dev.virtunit.internal.net.NatSpec;
import dev.virtunit.internal.net.NetProbe;
import dev.virtunit.internal.net.Peer;
import dev.virtunit.internal.net.PortForward;
import dev.virtunit.internal.net.UpstreamNamespace;
import dev.virtunit.it.net.NetLab.Guest;
import dev.virtunit.it.net.NetLab.Lan;
import dev.virtunit.it.net.NetLab.Topology;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The NAT's inbound side: from the upstream nothing new reaches a guest, unless a port forward declares it. A guest
 * namespace runs an echo server of its own, so what reaches it (and from which address) is observed on the guest.
 * The topologies that translate correctly are covered; the seed's broken one is NatTopologiesIT's subject.
 */
class InboundFilteringIT extends NetLabTest {


    /**
     * A neighbour on the uplink that routes the guests' private subnet to our host (the upstream given that route on
     * purpose) still cannot open a connection to a guest, nor get a datagram to it: the forward chain drops both and
     * counts them.
     */
    @ParameterizedTest
    @EnumSource(value = Topology.class, names = {"OVS_GATEWAY_ON_VETH", "LINUX_GATEWAY_ON_BRIDGE"})
    void nothingNewComesInFromTheUplink(Topology topology) {
        List<String> subnets = lab.freeSubnets(2);
        Lan lan = lab.lan(topology, subnets.get(0));
        Guest guest = lab.guest(lan, "g", 10);
        EchoService guestEcho = lab.echoIn(guest.namespace());
        UpstreamNamespace upstream = lab.upstream(subnets.get(1));
        NatRules nat = lab.nat(new NatSpec(lab.table(), lan.subnet(), lan.gatewayInterface(), upstream.uplinkInterface()));
        upstream.routeViaHost(lan.subnet());

        CommandResult tcp = lab.tcpProbe(upstream.namespace(), guest.address(), guestEcho.tcpPort(), "knock");
        CommandResult udp = lab.udpProbe(upstream.namespace(), guest.address(), guestEcho.udpPort(), "knock");

        assertThat(tcp.exitCode()).as("TCP from the upstream to the guest: %s", tcp).isEqualTo(NetProbe.NO_ANSWER);
        assertThat(udp.exitCode()).as("UDP from the upstream to the guest: %s", udp).isEqualTo(NetProbe.NO_ANSWER);
        assertThat(guestEcho.peersSeen()).as("what reached the guest").isEmpty();
        assertThat(nat.blockedInboundPackets()).as("packets dropped by the forward chain").isGreaterThanOrEqualTo(2);
        assertThat(nat.translatedPackets()).isZero();

        // The filter is the only thing in the way: the guest itself is reachable from the host.
        CommandResult fromGuest = lab.udpProbe(guest.namespace(), upstream.address(), upstream.udpPort(), "out");
        assertThat(fromGuest.exitCode()).as("the guest still reaches out: %s", fromGuest).isEqualTo(NetProbe.ANSWERED);
        System.out.printf("%s inbound: tcp exit %d, udp exit %d, blocked_inbound=%d, guest peers=%s%n", topology,
                tcp.exitCode(), udp.exitCode(), nat.blockedInboundPackets(), guestEcho.peersSeen());
    }

    /**
     * A declared port forward opens exactly its port: the upstream connects to the host's uplink address and reaches
     * the guest's echo server, which sees the upstream's real address (DNAT only, no source translation).
     */
    @ParameterizedTest
    @EnumSource(value = Topology.class, names = {"OVS_GATEWAY_ON_VETH", "LINUX_GATEWAY_ON_BRIDGE"})
    void aPortForwardReachesTheGuest(Topology topology) {
        List<String> subnets = lab.freeSubnets(2);
        Lan lan = lab.lan(topology, subnets.get(0));
        Guest guest = lab.guest(lan, "g", 10);
        EchoService guestEcho = lab.echoIn(guest.namespace());
        UpstreamNamespace upstream = lab.upstream(subnets.get(1));
        int tcpPort = 18080;
        int udpPort = 18053;
        NatRules nat = lab.nat(new NatSpec(lab.table(), lan.subnet(), lan.gatewayInterface(), upstream.uplinkInterface(),
                List.of(PortForward.tcp(tcpPort, guest.address(), guestEcho.tcpPort()),
                        PortForward.udp(udpPort, guest.address(), guestEcho.udpPort()))));

        CommandResult tcp = lab.tcpProbe(upstream.namespace(), upstream.hostAddress(), tcpPort, "forwarded-tcp");
        Peer tcpPeer = guestEcho.awaitPeerAfter(0, "tcp", NetLab.PEER_TIMEOUT);
        int mark = guestEcho.peerCount();
        CommandResult udp = lab.udpProbe(upstream.namespace(), upstream.hostAddress(), udpPort, "forwarded-udp");
        Peer udpPeer = guestEcho.awaitPeerAfter(mark, "udp", NetLab.PEER_TIMEOUT);

        assertThat(tcp.exitCode()).as("TCP through the port forward: %s", tcp).isEqualTo(NetProbe.ANSWERED);
        assertThat(tcp.stdout()).isEqualTo("peer " + upstream.address() + " " + tcpPeer.port() + "\nforwarded-tcp\n");
        assertThat(tcpPeer.address()).as("source the guest saw").isEqualTo(upstream.address());
        assertThat(udp.exitCode()).as("UDP through the port forward: %s", udp).isEqualTo(NetProbe.ANSWERED);
        assertThat(udpPeer.address()).isEqualTo(upstream.address());
        assertThat(nat.blockedInboundPackets()).as("nothing of a declared forward is dropped").isZero();

        // Another port on the uplink address is not forwarded: the host itself answers it (refused), not the guest.
        CommandResult other = lab.tcpProbe(upstream.namespace(), upstream.hostAddress(), tcpPort + 1, "not-forwarded");
        assertThat(other.exitCode()).isEqualTo(NetProbe.NO_ANSWER);
        assertThat(guestEcho.peersSeen()).hasSize(2);
        System.out.printf("%s port forward: guest saw tcp %s, udp %s; blocked_inbound=%d%n", topology, tcpPeer, udpPeer,
                nat.blockedInboundPackets());
    }
}
