package dev.virtunit.internal.libvirt;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Base of the tests that run against libvirt's in-memory test driver: every connection to {@code test:///default}
 * starts from the same fresh state, with a running domain {@code test} (NIC aa:bb:cc:dd:ee:ff leased 192.168.122.3,
 * disk vda), an active network {@code default} and an active pool {@code default-pool}. Each test gets its own
 * connection in {@link #calls} and the parts working on it.
 */
abstract class OnTestDriver {

    static final String URI = "test:///default";
    static final String RUN_NS = "https://virtunit.dev/xmlns/run/1";

    LibvirtCalls calls;
    DomainOperations domains;
    DomainObservations observations;
    NetworkOperations networks;
    StorageOperations storage;

    @BeforeEach
    void openConnection() {
        calls = LibvirtCalls.open(URI);
        domains = new DomainOperations(calls);
        observations = new DomainObservations(calls);
        networks = new NetworkOperations(calls);
        storage = new StorageOperations(calls);
    }

    @AfterEach
    void closeConnection() {
        calls.close();
    }

    static String domainXml(String name) {
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

    static String networkXml(String name) {
        return """
                <network>
                  <name>%s</name>
                  <bridge name='vubr-%s'/>
                  <ip address='10.77.0.1' netmask='255.255.255.0'/>
                </network>
                """.formatted(name, name.substring(name.length() - 3));
    }

    static String poolXml(String name) {
        return """
                <pool type='dir'>
                  <name>%s</name>
                  <target><path>/virtunit-unit-test/%s</path></target>
                </pool>
                """.formatted(name, name);
    }

    static String volumeXml(String name) {
        return """
                <volume>
                  <name>%s</name>
                  <capacity unit='MiB'>1</capacity>
                  <target><format type='raw'/></target>
                </volume>
                """.formatted(name);
    }

    static LibvirtOperationException failure(Throwable thrown) {
        assertThat(thrown).isInstanceOf(LibvirtOperationException.class);
        return (LibvirtOperationException) thrown;
    }
}
