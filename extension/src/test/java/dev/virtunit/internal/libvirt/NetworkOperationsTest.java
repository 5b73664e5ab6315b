package dev.virtunit.internal.libvirt;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NetworkOperationsTest extends OnTestDriver {

    @Test
    void aNetworkIsCreatedActiveAndRemovedCompletely() {
        networks.create(networkXml("vu-unit-n01"));

        assertThat(networks.exists("vu-unit-n01")).isTrue();
        assertThat(networks.names()).contains("default", "vu-unit-n01");
        assertThat(networks.xml("vu-unit-n01")).contains("<name>vu-unit-n01</name>").contains("vubr-n01");

        networks.remove("vu-unit-n01");

        assertThat(networks.exists("vu-unit-n01")).isFalse();
        assertThat(networks.names()).doesNotContain("vu-unit-n01");
        assertThatCode(() -> networks.remove("vu-unit-n01")).doesNotThrowAnyException();
    }

    @Test
    void removingANetworkThatNeverExistedIsNotAnError() {
        assertThatCode(() -> networks.remove("vu-unit-never-was")).doesNotThrowAnyException();
    }

    @Test
    void aFailedCreateLeavesANetworkThatWasThereBeforeAlone() {
        String existing = networks.xml("default");

        assertThatThrownBy(() -> networks.create(existing))
                .hasMessageStartingWith("cannot create network 'default': ")
                .isInstanceOf(LibvirtOperationException.class);
        assertThat(networks.exists("default")).isTrue();
    }

    @Test
    void badNetworkXmlIsRefusedAndLeavesNothing() {
        assertThatThrownBy(() -> networks.create("<network><name>vu-unit-n02</name><ip address='x'/></network>"))
                .hasMessageStartingWith("cannot create network 'vu-unit-n02': ")
                .isInstanceOf(LibvirtOperationException.class);
        assertThat(networks.exists("vu-unit-n02")).isFalse();
    }
}
