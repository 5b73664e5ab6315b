package dev.virtunit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CidrTest {

    @Test
    void parsesAnInterfaceAddress() {
        Cidr cidr = Cidr.parse("192.168.231.1/24");

        assertThat(cidr.addressText()).isEqualTo("192.168.231.1");
        assertThat(cidr.prefixLength()).isEqualTo(24);
        assertThat(cidr.isNetwork()).isFalse();
        assertThat(cidr.network()).hasToString("192.168.231.0/24");
        assertThat(cidr.network().isNetwork()).isTrue();
        assertThat(cidr).hasToString("192.168.231.1/24");
    }

    @Test
    void handlesTheExtremes() {
        assertThat(Cidr.parse("0.0.0.0/0").contains("203.0.113.9")).isTrue();
        assertThat(Cidr.parse("255.255.255.255/32").addressText()).isEqualTo("255.255.255.255");
        assertThat(Cidr.parse("10.1.2.3/32").contains("10.1.2.3")).isTrue();
        assertThat(Cidr.parse("10.1.2.3/32").contains("10.1.2.4")).isFalse();
    }

    @Test
    void containsAndOverlaps() {
        Cidr lan = Cidr.parse("192.168.230.0/24");

        assertThat(lan.contains("192.168.230.254")).isTrue();
        assertThat(lan.contains("192.168.231.1")).isFalse();
        assertThat(lan.overlaps(Cidr.parse("192.168.0.0/16"))).isTrue();
        assertThat(lan.overlaps(Cidr.parse("192.168.230.128/25"))).isTrue();
        assertThat(lan.overlaps(Cidr.parse("192.168.231.0/24"))).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"192.168.1.0", "192.168.1.0/", "192.168.1/24", "192.168.1.0/33", "192.168.1.256/24",
            "192.168.01.0/24", "192.168.1.0/024", " 192.168.1.0/24", "192.168.1.0/24 ", "fd00::/64", "vunt/24", ""})
    void rejectsWhatIsNotAnIpv4Cidr(String text) {
        assertThatThrownBy(() -> Cidr.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + text + "'");
    }

    @Test
    void namesTheProblem() {
        assertThatThrownBy(() -> Cidr.parse("192.168.1.0/33"))
                .hasMessage("'192.168.1.0/33' has prefix length 33; IPv4 allows 0 to 32");
        assertThatThrownBy(() -> Cidr.parse("192.168.1.300/24"))
                .hasMessage("'192.168.1.300/24' has octet 300 above 255");
        assertThatThrownBy(() -> Cidr.parse("192.168.1.0"))
                .hasMessage("'192.168.1.0' is not an IPv4 address with a prefix length, like 192.168.231.1/24");
        assertThatThrownBy(() -> Cidr.parse(null))
                .hasMessageStartingWith("CIDR is null");
    }

    @Test
    void parsesAndFormatsPlainAddresses() {
        assertThat(Cidr.format(Cidr.parseAddress("192.168.231.2"))).isEqualTo("192.168.231.2");
        assertThat(Cidr.isAddress("192.168.231.2")).isTrue();
        assertThat(Cidr.isAddress("192.168.231.2/24")).isFalse();
        assertThat(Cidr.isAddress("upstream")).isFalse();
    }

    @Test
    void readsTheRelativeHostFormInOnePlace() {
        Cidr lan = Cidr.parse("192.168.77.0/24");

        assertThat(Cidr.isRelativeAddress(".20")).isTrue();
        assertThat(Cidr.isRelativeAddress(".020")).isFalse();
        assertThat(Cidr.isRelativeAddress("192.168.77.20")).isFalse();
        assertThat(Cidr.format(Cidr.resolveAddress(".20", lan))).isEqualTo("192.168.77.20");
        assertThat(Cidr.format(Cidr.resolveAddress("10.1.2.3", lan))).isEqualTo("10.1.2.3");
        assertThat(Cidr.resolve(".20", lan)).hasToString("192.168.77.20/24");
        assertThat(Cidr.resolve(".20/25", lan)).hasToString("192.168.77.20/25");
        assertThat(Cidr.resolve("10.1.2.3/8", lan)).hasToString("10.1.2.3/8");
        assertThat(Cidr.resolve(".300", Cidr.parse("10.0.0.0/16"))).hasToString("10.0.1.44/16");
        assertThatThrownBy(() -> Cidr.resolveAddress(".256", lan)).hasMessage("'.256' is host 256, beyond the subnet 192.168.77.0/24");
        assertThatThrownBy(() -> Cidr.resolve(".20/33", lan)).hasMessage("'.20/33' has prefix length '33'; IPv4 allows 0 to 32");
        assertThatThrownBy(() -> Cidr.resolve("192.168.077.1/24", lan)).isInstanceOf(IllegalArgumentException.class);
    }
}
