package dev.virtunit.internal.libvirt;

import dev.virtunit.observe.DomainInfo;
import dev.virtunit.observe.GuestState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Runs against libvirt's in-memory test driver: every connection to {@code test:///default} starts from the same
 * fresh state, with a running domain {@code test} (NIC aa:bb:cc:dd:ee:ff leased 192.168.122.3, disk vda), an
 * active network {@code default} and an active pool {@code default-pool}.
 */
class LibvirtHypervisorTest {

    private static final String URI = "test:///default";
    private static final String RUN_NS = "https://virtunit.dev/xmlns/run/1";

    private LibvirtHypervisor hypervisor;

    @BeforeEach
    void connect() {
        hypervisor = LibvirtHypervisor.connect(URI);
    }

    @AfterEach
    void close() {
        hypervisor.close();
    }

    private static String domainXml(String name) {
        return """
                <domain type='test'>
                  <name>%s</name>
                  <memory unit='KiB'>65536</memory>
                  <currentMemory unit='KiB'>32768</currentMemory>
                  <vcpu>2</vcpu>
                  <os><type>hvm</type></os>
                  <metadata><vu:run xmlns:vu='%s' session='s-1'/></metadata>
                </domain>
                """.formatted(name, RUN_NS);
    }

    private static String networkXml(String name) {
        return """
                <network>
                  <name>%s</name>
                  <bridge name='vubr-%s'/>
                  <ip address='10.77.0.1' netmask='255.255.255.0'/>
                </network>
                """.formatted(name, name.substring(name.length() - 3));
    }

    private static String poolXml(String name) {
        return """
                <pool type='dir'>
                  <name>%s</name>
                  <target><path>/virtunit-unit-test/%s</path></target>
                </pool>
                """.formatted(name, name);
    }

    private static String volumeXml(String name) {
        return """
                <volume>
                  <name>%s</name>
                  <capacity unit='MiB'>1</capacity>
                  <target><format type='raw'/></target>
                </volume>
                """.formatted(name);
    }

    private static LibvirtOperationException failure(Throwable thrown) {
        assertThat(thrown).isInstanceOf(LibvirtOperationException.class);
        return (LibvirtOperationException) thrown;
    }

    @Nested
    class Domains {

        @Test
        void aDomainGoesThroughItsWholeLifecycle() {
            hypervisor.defineDomain(domainXml("vu-unit-web"));
            assertThat(hypervisor.domainExists("vu-unit-web")).isTrue();
            assertThat(hypervisor.domainNames()).contains("test", "vu-unit-web");
            assertThat(hypervisor.domainState("vu-unit-web")).isEqualTo(GuestState.SHUT_OFF);

            hypervisor.startDomain("vu-unit-web");
            assertThat(hypervisor.domainState("vu-unit-web")).isEqualTo(GuestState.RUNNING);

            hypervisor.suspendDomain("vu-unit-web");
            assertThat(hypervisor.domainState("vu-unit-web")).isEqualTo(GuestState.PAUSED);

            hypervisor.resumeDomain("vu-unit-web");
            assertThat(hypervisor.domainState("vu-unit-web")).isEqualTo(GuestState.RUNNING);

            hypervisor.rebootDomain("vu-unit-web");
            assertThat(hypervisor.domainState("vu-unit-web")).isEqualTo(GuestState.RUNNING);

            // The test driver powers off at once; a real guest would take its time.
            hypervisor.shutdownDomain("vu-unit-web");
            assertThat(hypervisor.domainState("vu-unit-web")).isEqualTo(GuestState.SHUT_OFF);

            hypervisor.startDomain("vu-unit-web");
            hypervisor.destroyDomain("vu-unit-web");
            assertThat(hypervisor.domainState("vu-unit-web")).isEqualTo(GuestState.SHUT_OFF);

            hypervisor.undefineDomain("vu-unit-web");
            assertThat(hypervisor.domainState("vu-unit-web")).isEqualTo(GuestState.UNDEFINED);
            assertThat(hypervisor.domainExists("vu-unit-web")).isFalse();
            assertThat(hypervisor.domainNames()).doesNotContain("vu-unit-web");
        }

        @Test
        void removingWhatIsNotThereIsNotAnError() {
            hypervisor.defineDomain(domainXml("vu-unit-idle"));

            assertThatCode(() -> {
                hypervisor.destroyDomain("vu-unit-idle"); // defined, not running
                hypervisor.undefineDomain("vu-unit-idle");
                hypervisor.undefineDomain("vu-unit-idle");
                hypervisor.destroyDomain("vu-unit-idle"); // not even defined
                hypervisor.destroyDomain("vu-unit-never-was");
                hypervisor.undefineDomain("vu-unit-never-was");
            }).doesNotThrowAnyException();
            assertThat(hypervisor.domainExists("vu-unit-idle")).isFalse();
        }

        @Test
        void undefiningARunningDomainLeavesItRunningUntilDestroyed() {
            hypervisor.defineDomain(domainXml("vu-unit-live"));
            hypervisor.startDomain("vu-unit-live");

            hypervisor.undefineDomain("vu-unit-live");
            assertThat(hypervisor.domainInfo("vu-unit-live").persistent()).isFalse();
            assertThat(hypervisor.domainState("vu-unit-live")).isEqualTo(GuestState.RUNNING);

            hypervisor.destroyDomain("vu-unit-live");
            assertThat(hypervisor.domainState("vu-unit-live")).isEqualTo(GuestState.UNDEFINED);
            assertThatCode(() -> hypervisor.undefineDomain("vu-unit-live")).doesNotThrowAnyException();
        }

        @Test
        void domainInfoOfTheRunningBuiltInDomain() {
            DomainInfo info = hypervisor.domainInfo("test");

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
            hypervisor.defineDomain(domainXml("vu-unit-off"));

            DomainInfo info = hypervisor.domainInfo("vu-unit-off");

            assertThat(info.name()).isEqualTo("vu-unit-off");
            assertThat(info.uuid()).isEqualTo(hypervisor.domainUuid("vu-unit-off")).hasSize(36);
            assertThat(info.id()).isEmpty();
            assertThat(info.state()).isEqualTo(GuestState.SHUT_OFF);
            assertThat(info.vcpus()).isEqualTo(2);
            assertThat(info.maxMemoryKiB()).isEqualTo(65_536L);
            assertThat(info.usedMemoryKiB()).isEqualTo(32_768L);
            assertThat(info.persistent()).isTrue();
            assertThat(info.autostart()).isFalse();
        }

        @Test
        void theXmlIsTheLiveOneWhileRunning() {
            hypervisor.defineDomain(domainXml("vu-unit-xml"));
            assertThat(hypervisor.domainXml("vu-unit-xml")).contains("<name>vu-unit-xml</name>")
                    .doesNotContain("id='");

            hypervisor.startDomain("vu-unit-xml");

            assertThat(hypervisor.domainXml("vu-unit-xml")).containsPattern("<domain type='test' id='\\d+'>");
        }

        @Test
        void metadataIsReadByNamespace() {
            hypervisor.defineDomain(domainXml("vu-unit-meta"));

            // libvirt hands the element back without its namespace.
            assertThat(hypervisor.domainMetadata("vu-unit-meta", RUN_NS)).hasValue("<run session=\"s-1\"/>");
            assertThat(hypervisor.domainMetadata("vu-unit-meta", "https://example.org/other")).isEmpty();
            assertThat(hypervisor.domainMetadata("test", RUN_NS)).isEmpty();
        }

        @Test
        void countersOfTheRunningBuiltInDomain() {
            assertThat(hypervisor.interfaceCounters("test", "testnet0")).satisfies(counters -> {
                assertThat(counters.device()).isEqualTo("testnet0");
                assertThat(counters.rxBytes()).isPositive();
                assertThat(counters.txPackets()).isPositive();
            });
            assertThat(hypervisor.interfaceCounters("test", "aa:bb:cc:dd:ee:ff").rxPackets()).isPositive();
            assertThat(hypervisor.blockCounters("test", "vda")).satisfies(counters -> {
                assertThat(counters.device()).isEqualTo("vda");
                assertThat(counters.readRequests()).isPositive();
                assertThat(counters.writeBytes()).isPositive();
            });
            assertThat(hypervisor.memoryStats("test"))
                    .containsEntry("actual", 2_097_152L)
                    .containsEntry("rss", 1_048_576L)
                    .containsEntry("swap_in", 0L)
                    .containsKeys("available", "usable", "last_update");
        }

        @Test
        void leasedAddressesAreFilteredByMacIgnoringCase() {
            assertThat(hypervisor.leasedAddresses("test", "AA:BB:CC:DD:EE:FF")).containsExactly("192.168.122.3");
            assertThat(hypervisor.leasedAddresses("test", "52:54:00:00:00:01")).isEmpty();
        }

        @Test
        void aDomainWithoutMemoryIsRefusedWithLibvirtsReasonAndCode() {
            String xml = "<domain type='test'><name>vu-unit-bad</name><os><type>hvm</type></os></domain>";

            assertThatThrownBy(() -> hypervisor.defineDomain(xml))
                    .hasMessage("cannot define domain 'vu-unit-bad': XML error: Memory size must be specified "
                            + "via <memory> or in the <numa> configuration")
                    .satisfies(thrown -> {
                        assertThat(failure(thrown).errorName()).isEqualTo("VIR_ERR_XML_ERROR");
                        assertThat(failure(thrown).errorCode()).isEqualTo(27);
                    });
            assertThat(hypervisor.domainExists("vu-unit-bad")).isFalse();
        }

        @Test
        void malformedXmlIsRefusedWithLibvirtsParserMessage() {
            assertThatThrownBy(() -> hypervisor.defineDomain("<domain type='test'><name>vu-unit-cut</name>"))
                    .hasMessageStartingWith("cannot define domain: (domain_definition):")
                    .hasMessageContaining("Premature end of data")
                    .satisfies(thrown -> assertThat(failure(thrown).errorName()).isEqualTo("VIR_ERR_XML_DETAIL"));
        }

        @Test
        void operatingOnAMissingDomainNamesItAndTheOperation() {
            assertThatThrownBy(() -> hypervisor.startDomain("vu-unit-missing"))
                    .hasMessage("cannot start domain 'vu-unit-missing': Domain not found")
                    .satisfies(thrown -> {
                        assertThat(failure(thrown).errorName()).isEqualTo("VIR_ERR_NO_DOMAIN");
                        assertThat(failure(thrown).errorCode()).isEqualTo(42);
                    });
        }

        @Test
        void stateChangesThatDoNotApplyAreRefused() {
            hypervisor.defineDomain(domainXml("vu-unit-stopped"));

            // The test driver's wording and code; qemu says "Requested operation is not valid: domain is not running".
            assertThatThrownBy(() -> hypervisor.suspendDomain("vu-unit-stopped"))
                    .hasMessage("cannot suspend domain 'vu-unit-stopped': internal error: domain 'vu-unit-stopped' "
                            + "not running")
                    .satisfies(thrown -> {
                        assertThat(failure(thrown).errorName()).isEqualTo("VIR_ERR_INTERNAL_ERROR");
                        assertThat(failure(thrown).errorCode()).isEqualTo(1);
                    });
        }
    }

    @Nested
    class Networks {

        @Test
        void aNetworkIsCreatedActiveAndRemovedCompletely() {
            hypervisor.createNetwork(networkXml("vu-unit-n01"));

            assertThat(hypervisor.networkExists("vu-unit-n01")).isTrue();
            assertThat(hypervisor.networkNames()).contains("default", "vu-unit-n01");
            assertThat(hypervisor.networkXml("vu-unit-n01")).contains("<name>vu-unit-n01</name>")
                    .contains("vubr-n01");

            hypervisor.removeNetwork("vu-unit-n01");

            assertThat(hypervisor.networkExists("vu-unit-n01")).isFalse();
            assertThat(hypervisor.networkNames()).doesNotContain("vu-unit-n01");
            assertThatCode(() -> hypervisor.removeNetwork("vu-unit-n01")).doesNotThrowAnyException();
        }

        @Test
        void removingANetworkThatNeverExistedIsNotAnError() {
            assertThatCode(() -> hypervisor.removeNetwork("vu-unit-never-was")).doesNotThrowAnyException();
        }

        @Test
        void aFailedCreateLeavesANetworkThatWasThereBeforeAlone() {
            String existing = hypervisor.networkXml("default");

            assertThatThrownBy(() -> hypervisor.createNetwork(existing))
                    .hasMessageStartingWith("cannot create network 'default': ")
                    .isInstanceOf(LibvirtOperationException.class);
            assertThat(hypervisor.networkExists("default")).isTrue();
        }

        @Test
        void badNetworkXmlIsRefusedAndLeavesNothing() {
            assertThatThrownBy(() -> hypervisor.createNetwork("<network><name>vu-unit-n02</name><ip address='x'/>"
                    + "</network>"))
                    .hasMessageStartingWith("cannot create network 'vu-unit-n02': ")
                    .isInstanceOf(LibvirtOperationException.class);
            assertThat(hypervisor.networkExists("vu-unit-n02")).isFalse();
        }
    }

    @Nested
    class Storage {

        @Test
        void aPoolHoldsVolumesAndIsRemovedWithThem() {
            hypervisor.createPool(poolXml("vu-unit-pool"));
            assertThat(hypervisor.poolNames()).contains("default-pool", "vu-unit-pool");

            String path = hypervisor.createVolume("vu-unit-pool", volumeXml("disk1.img"));
            assertThat(path).isEqualTo("/virtunit-unit-test/vu-unit-pool/disk1.img");
            hypervisor.createVolume("vu-unit-pool", volumeXml("disk2.img"));
            hypervisor.refreshPool("vu-unit-pool");
            assertThat(hypervisor.volumeNames("vu-unit-pool")).containsExactlyInAnyOrder("disk1.img", "disk2.img");

            hypervisor.deleteVolume("vu-unit-pool", "disk1.img");
            hypervisor.deleteVolume("vu-unit-pool", "disk1.img");
            assertThat(hypervisor.volumeNames("vu-unit-pool")).containsExactly("disk2.img");

            hypervisor.removePool("vu-unit-pool");
            assertThat(hypervisor.poolNames()).doesNotContain("vu-unit-pool");
            assertThatCode(() -> {
                hypervisor.removePool("vu-unit-pool");
                hypervisor.deleteVolume("vu-unit-pool", "disk2.img");
            }).doesNotThrowAnyException();
        }

        @Test
        void aFailedCreateLeavesAPoolThatWasThereBeforeAlone() {
            String existing = """
                    <pool type='dir'><name>default-pool</name><uuid>%s</uuid>
                    <target><path>/default-pool</path></target></pool>
                    """.formatted(defaultPoolUuid());

            assertThatThrownBy(() -> hypervisor.createPool(existing))
                    .hasMessageStartingWith("cannot create pool 'default-pool': ")
                    .isInstanceOf(LibvirtOperationException.class);
            assertThat(hypervisor.poolNames()).contains("default-pool");
        }

        private String defaultPoolUuid() {
            // The test driver's built-in pool has a fixed UUID.
            return "dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566";
        }

        @Test
        void aVolumeInAMissingPoolIsReportedWithThePool() {
            assertThatThrownBy(() -> hypervisor.createVolume("vu-unit-no-pool", volumeXml("disk.img")))
                    .hasMessage("cannot create volume 'disk.img' in pool 'vu-unit-no-pool': Storage pool not found: "
                            + "no storage pool with matching name 'vu-unit-no-pool'")
                    .satisfies(thrown -> assertThat(failure(thrown).errorName())
                            .isEqualTo("VIR_ERR_NO_STORAGE_POOL"));
        }
    }

    @Nested
    class Connection {

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

    @Nested
    class NamesInXml {

        @Test
        void theNameIsTheRootsOwnNameChild() {
            assertThat(LibvirtHypervisor.nameIn("<pool type='logical'><source><name>vg0</name></source>"
                    + "<name>vu-pool</name></pool>")).hasValue("vu-pool");
            assertThat(LibvirtHypervisor.nameIn(domainXml(" vu-unit-spaced "))).hasValue("vu-unit-spaced");
        }

        @Test
        void noNameWhenTheXmlHasNoneOrIsBroken() {
            assertThat(LibvirtHypervisor.nameIn("<volume><capacity>1</capacity></volume>")).isEmpty();
            assertThat(LibvirtHypervisor.nameIn("<domain><name>cut")).isEmpty();
            assertThat(LibvirtHypervisor.nameIn("<!DOCTYPE d [<!ENTITY x 'y'>]><d><name>&x;</name></d>")).isEmpty();
        }
    }
}
