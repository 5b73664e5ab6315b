package dev.virtunit.internal.libvirt;

import dev.virtunit.observe.GuestState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static dev.virtunit.internal.libvirt.OnTestDriver.RUN_NS;
import static dev.virtunit.internal.libvirt.OnTestDriver.URI;
import static dev.virtunit.internal.libvirt.OnTestDriver.domainXml;
import static dev.virtunit.internal.libvirt.OnTestDriver.failure;
import static dev.virtunit.internal.libvirt.OnTestDriver.networkXml;
import static dev.virtunit.internal.libvirt.OnTestDriver.poolXml;
import static dev.virtunit.internal.libvirt.OnTestDriver.volumeXml;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The composition root as a whole, on libvirt's in-memory test driver (see {@link OnTestDriver}); each part has its
 * own test class. Not an {@link OnTestDriver} itself: the test driver resets only once every connection to it is
 * closed, which one test here relies on.
 */
class LibvirtHypervisorTest {

    private LibvirtHypervisor hypervisor;

    @BeforeEach
    void connect() {
        hypervisor = LibvirtHypervisor.connect(URI);
    }

    @AfterEach
    void close() {
        hypervisor.close();
    }

    @Test
    void aConnectionThatCannotBeOpenedSaysWhatToCheck() {
        assertThatThrownBy(() -> LibvirtHypervisor.connect("test:///nonexistent-file.xml"))
                .isInstanceOf(LibvirtOperationException.class)
                .hasMessageStartingWith("cannot connect to libvirt at test:///nonexistent-file.xml: ")
                .hasMessageEndingWith("(is libvirtd running? scripts/setup-host starts it; are you root or in "
                        + "group libvirt?)")
                .satisfies(thrown -> assertThat(failure(thrown).errorCode()).isPositive());
    }

    /**
     * The test driver keeps its state while any connection to it is open, and a connection stays open while any
     * handle on one of its objects is alive. A fresh state after close therefore shows every handle was freed.
     */
    @Test
    void closingReleasesTheConnectionAndEveryHandleItGaveOut() {
        hypervisor.defineDomain(domainXml("vu-unit-private"));
        hypervisor.startDomain("vu-unit-private");
        hypervisor.domainInfo("vu-unit-private");
        hypervisor.domainState("vu-unit-private");
        hypervisor.domainXml("vu-unit-private");
        hypervisor.domainMetadata("vu-unit-private", RUN_NS);
        hypervisor.domainNames();
        hypervisor.interfaceCounters("test", "testnet0");
        hypervisor.blockCounters("test", "vda");
        hypervisor.memoryStats("test");
        hypervisor.leasedAddresses("test", "aa:bb:cc:dd:ee:ff");
        hypervisor.createNetwork(networkXml("vu-unit-n03"));
        hypervisor.createPool(poolXml("vu-unit-p03"));
        hypervisor.createVolume("vu-unit-p03", volumeXml("disk.img"));
        hypervisor.volumeNames("vu-unit-p03");
        // A failing call must free its handles too.
        assertThatThrownBy(() -> hypervisor.startDomain("vu-unit-private"))
                .isInstanceOf(LibvirtOperationException.class);
        try (LibvirtHypervisor second = LibvirtHypervisor.connect(URI)) {
            assertThat(second.domainExists("vu-unit-private")).isTrue();
            assertThat(second.uri()).isEqualTo(URI);
        }

        hypervisor.close();

        try (LibvirtHypervisor fresh = LibvirtHypervisor.connect(URI)) {
            assertThat(fresh.domainExists("vu-unit-private")).isFalse();
            assertThat(fresh.networkExists("vu-unit-n03")).isFalse();
            assertThat(fresh.poolNames()).doesNotContain("vu-unit-p03");
        }
    }

    @Test
    void capabilitiesDescribeTheHost() {
        assertThat(hypervisor.capabilitiesXml()).contains("<capabilities>").contains("<host>");
        assertThat(hypervisor).hasToString("LibvirtHypervisor[test:///default]");
    }

    @Test
    void closeIsIdempotentAndLaterCallsFailClearly() {
        hypervisor.close();
        hypervisor.close();

        assertThatThrownBy(() -> hypervisor.domainNames())
                .hasMessage("cannot list domains: the connection to test:///default is closed")
                .satisfies(thrown -> assertThat(failure(thrown).errorName()).isEqualTo("VIR_ERR_INVALID_CONN"));
    }

    @Test
    void concurrentCallersAreSerialised() throws Exception {
        int threads = 8;
        int domainsPerThread = 10;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                results.add(pool.submit(() -> {
                    for (int i = 0; i < domainsPerThread; i++) {
                        String name = "vu-unit-t" + thread + "-" + i;
                        hypervisor.defineDomain(domainXml(name));
                        assertThat(hypervisor.domainNames()).contains(name);
                        hypervisor.startDomain(name);
                        assertThat(hypervisor.domainState(name)).isEqualTo(GuestState.RUNNING);
                        assertThat(hypervisor.networkNames()).contains("default");
                        hypervisor.destroyDomain(name);
                    }
                    return null;
                }));
            }
            for (Future<?> result : results) {
                result.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(hypervisor.domainNames()).hasSize(1 + threads * domainsPerThread);
        assertThat(hypervisor.domainInfo("vu-unit-t7-9").cpuTime()).isGreaterThanOrEqualTo(Duration.ZERO);
    }
}
