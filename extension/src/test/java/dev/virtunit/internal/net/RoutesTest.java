package dev.virtunit.internal.net;

import dev.virtunit.Cidr;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code ip -4 route show table all} on this project's machine kind, with one test network added. */
class RoutesTest {

    private static final Routes ROUTES = Routes.parse("""
            default via 192.0.2.1 dev eth0
            192.0.2.0/24 dev eth0 proto kernel scope link src 192.0.2.2
            192.168.231.0/24 dev vunt1a2bh proto kernel scope link src 192.168.231.1
            unreachable 10.99.0.0/16
            local 127.0.0.0/8 dev lo table local proto kernel scope host src 127.0.0.1
            local 127.0.0.1 dev lo table local proto kernel scope host src 127.0.0.1
            broadcast 127.255.255.255 dev lo table local proto kernel scope link src 127.0.0.1
            local 192.0.2.2 dev eth0 table local proto kernel scope host src 192.0.2.2
            broadcast 192.0.2.255 dev eth0 table local proto kernel scope link src 192.0.2.2
            """);

    @Test
    void aRoutedSubnetIsTaken() {
        assertThat(ROUTES.isFree(Cidr.parse("192.168.231.0/24"))).isFalse();
        assertThat(ROUTES.overlapping(Cidr.parse("192.168.231.0/24")))
                .containsExactly("192.168.231.0/24 dev vunt1a2bh proto kernel scope link src 192.168.231.1");
    }

    @Test
    void theDefaultRouteDoesNotTakeEverySubnet() {
        assertThat(ROUTES.isFree(Cidr.parse("192.168.230.0/24"))).isTrue();
    }

    @Test
    void typedRoutesAndHostRoutesCount() {
        assertThat(ROUTES.isFree(Cidr.parse("10.99.5.0/24"))).isFalse();
        assertThat(ROUTES.overlapping(Cidr.parse("192.0.2.0/24"))).as("the default route left out").hasSize(3);
        assertThat(ROUTES.isFree(Cidr.parse("127.0.0.0/8"))).isFalse();
    }

    @Test
    void destinations() {
        assertThat(Routes.destination("default via 192.0.2.1 dev eth0")).contains(new Cidr(0, 0));
        assertThat(Routes.destination("local 192.0.2.2 dev eth0 table local")).contains(Cidr.parse("192.0.2.2/32"));
        assertThat(Routes.destination("garbage")).isEmpty();
    }
}
