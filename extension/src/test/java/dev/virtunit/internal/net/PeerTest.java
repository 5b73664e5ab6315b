package dev.virtunit.internal.net;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PeerTest {

    @Test
    void parsesEchoServerLines() {
        assertThat(Peer.parse(0, "PEER udp 192.168.231.1 40001")).contains(new Peer(0, "udp", "192.168.231.1", 40001));
        assertThat(Peer.parse(3, "PEER tcp 192.168.230.10 51234\n")).contains(new Peer(3, "tcp", "192.168.230.10", 51234));
    }

    @Test
    void ignoresOtherLines() {
        assertThat(Peer.parse(0, "READY tcp 40000 udp 40001")).isEmpty();
        assertThat(Peer.parse(0, "PEER sctp 192.168.231.1 1")).isEmpty();
        assertThat(Peer.parse(0, "PEER udp 192.168.231.1 x")).isEmpty();
        assertThat(Peer.parse(0, "")).isEmpty();
    }
}
