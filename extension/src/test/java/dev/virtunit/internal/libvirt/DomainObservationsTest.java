package dev.virtunit.internal.libvirt;

import dev.virtunit.observe.DomainInfo;
import dev.virtunit.observe.GuestState;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DomainObservationsTest extends OnTestDriver {

    @Test
    void domainInfoOfTheRunningBuiltInDomain() {
        DomainInfo info = observations.info("test");

        assertThat(info.name()).isEqualTo("test");
        assertThat(info.uuid()).isEqualTo("6695eb01-f6a4-8304-79aa-97f2502e193f");
        assertThat(info.id()).hasValue(1);
        assertThat(info.osType()).isEqualTo("linux"); // what the test driver reports for every domain
        assertThat(info.state()).isEqualTo(GuestState.RUNNING);
        assertThat(info.vcpus()).isEqualTo(2);
        assertThat(info.cpuTime()).isPositive();
        assertThat(info.maxMemoryKiB()).isEqualTo(8_388_608L);
        assertThat(info.usedMemoryKiB()).isEqualTo(2_097_152L);
        assertThat(info.persistent()).isTrue();
        assertThat(info.autostart()).isFalse();
    }

    @Test
    void domainInfoOfADomainThatIsNotRunningHasNoId() {
        domains.define(domainXml("vu-unit-off"));

        DomainInfo info = observations.info("vu-unit-off");

        assertThat(info.name()).isEqualTo("vu-unit-off");
        assertThat(info.uuid()).isEqualTo(domains.uuid("vu-unit-off")).hasSize(36);
        assertThat(info.id()).isEmpty();
        assertThat(info.state()).isEqualTo(GuestState.SHUT_OFF);
        assertThat(info.vcpus()).isEqualTo(2);
        assertThat(info.maxMemoryKiB()).isEqualTo(65_536L);
        assertThat(info.usedMemoryKiB()).isEqualTo(32_768L);
        assertThat(info.persistent()).isTrue();
        assertThat(info.autostart()).isFalse();
    }

    @Test
    void theStateOfAMissingDomainIsUndefinedButItsInfoIsAnError() {
        assertThat(observations.state("vu-unit-missing")).isEqualTo(GuestState.UNDEFINED);
        assertThatThrownBy(() -> observations.info("vu-unit-missing"))
                .hasMessageStartingWith("cannot read information about domain 'vu-unit-missing': ")
                .satisfies(thrown -> assertThat(failure(thrown).errorName()).isEqualTo("VIR_ERR_NO_DOMAIN"));
    }

    @Test
    void countersOfTheRunningBuiltInDomain() {
        assertThat(observations.interfaceCounters("test", "testnet0")).satisfies(counters -> {
            assertThat(counters.device()).isEqualTo("testnet0");
            assertThat(counters.rxBytes()).isPositive();
            assertThat(counters.txPackets()).isPositive();
        });
        assertThat(observations.interfaceCounters("test", "aa:bb:cc:dd:ee:ff").rxPackets()).isPositive();
        assertThat(observations.blockCounters("test", "vda")).satisfies(counters -> {
            assertThat(counters.device()).isEqualTo("vda");
            assertThat(counters.readRequests()).isPositive();
            assertThat(counters.writeBytes()).isPositive();
        });
        assertThat(observations.memoryStats("test"))
                .containsEntry("actual", 2_097_152L)
                .containsEntry("rss", 1_048_576L)
                .containsEntry("swap_in", 0L)
                .containsKeys("available", "usable", "last_update");
    }

    @Test
    void leasedAddressesAreFilteredByMacIgnoringCase() {
        assertThat(observations.leasedAddresses("test", "AA:BB:CC:DD:EE:FF")).containsExactly("192.168.122.3");
        assertThat(observations.leasedAddresses("test", "52:54:00:00:00:01")).isEmpty();
    }
}
