package dev.virtunit.internal.net;

import dev.virtunit.internal.host.RecordingHostCommands;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How a host reaches another: {@code ip -o route get}, read for a tunnel's local end and underlay. */
class UnderlayRouteTest {

    private final RecordingHostCommands host = new RecordingHostCommands();

    @Test
    void theDeviceAndSourceOfTheRouteTowardTheOtherHost() {
        host.answer(List.of("ip", "-o", "route", "get"),
                "172.31.250.2 dev vhbr0 src 172.31.250.1 uid 0 \\    cache \n");

        assertThat(new IpRoutes(host).routeTo("172.31.250.2")).isEqualTo(new UnderlayRoute("vhbr0", "172.31.250.1"));
        assertThat(host.rendered()).containsExactly("ip -o route get 172.31.250.2");
    }

    @Test
    void aRouteThroughAGatewayAndOneToTheHostItself() {
        assertThat(UnderlayRoute.parse("10.1.2.3", "10.1.2.3 via 10.0.0.1 dev eth1 src 10.0.0.7 uid 0 \\    cache"))
                .isEqualTo(new UnderlayRoute("eth1", "10.0.0.7"));
        assertThat(UnderlayRoute.parse("172.31.250.1", "local 172.31.250.1 dev lo src 172.31.250.1 uid 0 \\    cache <local>"))
                .isEqualTo(new UnderlayRoute("lo", "172.31.250.1"));
    }

    @Test
    void noRouteIsTheKernelsAnswerNamingTheAddress() {
        host.answer(List.of("ip", "-o", "route", "get"), 2, "", "RTNETLINK answers: Network is unreachable");

        assertThatThrownBy(() -> new IpRoutes(host).routeTo("10.98.0.1"))
                .hasMessageStartingWith("cannot find the route to 10.98.0.1: ip -o route get 10.98.0.1")
                .hasMessageContaining("Network is unreachable");
        assertThatThrownBy(() -> UnderlayRoute.parse("10.98.0.1", "unreachable 10.98.0.1"))
                .hasMessage("cannot tell the route to 10.98.0.1 from 'ip -o route get': expected a device and a source "
                        + "address in 'unreachable 10.98.0.1'");
        assertThatThrownBy(() -> new IpRoutes(host).routeTo("host2")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("route to 'host2': expected an IPv4 address");
    }

    @Test
    void aVxlanLinkWithAnMtuAndBadValuesRefusedBeforeAnyCommand() {
        IpLinks links = new IpLinks(host);

        links.addVxlan("vu1a2b3cb0t0", 7, "172.31.250.1", "172.31.250.2", 4789, "vhbr0", 1400);
        links.addVxlan("vu1a2b3cb0t1", 8, "172.31.250.1", "172.31.250.2", 4789, "vhbr0");

        assertThat(host.rendered()).containsExactly(
                "ip link add name vu1a2b3cb0t0 mtu 1400 up type vxlan id 7 local 172.31.250.1 remote 172.31.250.2 "
                        + "dstport 4789 dev vhbr0",
                "ip link add name vu1a2b3cb0t1 up type vxlan id 8 local 172.31.250.1 remote 172.31.250.2 dstport 4789 "
                        + "dev vhbr0");
        assertThatThrownBy(() -> links.addVxlan("vu1a2b3cb0t2", 9, "172.31.250.1", "172.31.250.2", 4789, "vhbr0", 9000))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("MTU 9000");
        assertThatThrownBy(() -> links.setMtu("vu1a2b3cb0", 40)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("MTU 40 for vu1a2b3cb0: expected 68 to 1500");
        assertThat(host.rendered()).hasSize(2);
    }
}
