package dev.virtunit.internal.libvirt;

import dev.virtunit.observe.BlockCounters;
import dev.virtunit.observe.DomainInfo;
import dev.virtunit.observe.GuestState;
import dev.virtunit.observe.InterfaceCounters;
import org.libvirt.Connect;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The real {@link Hypervisor}: libvirt through libvirt-java. This package is the only code that imports
 * {@code org.libvirt}.
 *
 * <p>This class opens the connection and hands each call to the part that does that job: {@link LibvirtCalls}
 * holds the connection and the calling convention (one lock, handles freed in {@code finally}, {@code -1} results
 * checked, libvirt's errors translated with their code), {@link DomainOperations} and {@link DomainObservations}
 * act on and measure domains, {@link NetworkOperations} and {@link StorageOperations} handle networks, pools and
 * volumes, and {@link LibvirtEventLoop} keeps libvirt's event loop running so keepalive notices a dead daemon.
 */
public final class LibvirtHypervisor implements Hypervisor {

    private static final Logger LOG = LoggerFactory.getLogger(LibvirtHypervisor.class);

    private final LibvirtCalls calls;
    private final DomainOperations domains;
    private final DomainObservations observations;
    private final NetworkOperations networks;
    private final StorageOperations storage;

    private LibvirtHypervisor(LibvirtCalls calls) {
        this.calls = calls;
        this.domains = new DomainOperations(calls);
        this.observations = new DomainObservations(calls);
        this.networks = new NetworkOperations(calls);
        this.storage = new StorageOperations(calls);
    }

    /**
     * Opens a read-write connection to {@code uri} (e.g. {@code qemu:///system}, or {@code test:///default} for
     * libvirt's in-memory test driver).
     *
     * @throws LibvirtOperationException when libvirt cannot be reached, saying what to check
     */
    public static LibvirtHypervisor connect(String uri) {
        return new LibvirtHypervisor(LibvirtCalls.open(uri));
    }

    @Override
    public String uri() {
        return calls.uri();
    }

    @Override
    public String capabilitiesXml() {
        return calls.repeatable("read the capabilities of " + calls.uri(), Connect::getCapabilities);
    }

    @Override
    public java.util.OptionalLong freeMemoryBytes() {
        return java.util.OptionalLong.of(calls.repeatable("read the free memory of " + calls.uri(),
                Connect::getFreeMemory));
    }

    // ---- domains ----

    @Override
    public void defineDomain(String xml) {
        domains.define(xml);
    }

    @Override
    public boolean domainExists(String name) {
        return domains.exists(name);
    }

    @Override
    public List<String> domainNames() {
        return domains.names();
    }

    @Override
    public void startDomain(String name) {
        domains.start(name);
    }

    @Override
    public void saveDomain(String name, java.nio.file.Path file) {
        domains.save(name, file.toString());
    }

    @Override
    public void restoreDomain(java.nio.file.Path file) {
        domains.restore(file.toString());
    }

    @Override
    public void shutdownDomain(String name) {
        domains.shutdown(name);
    }

    @Override
    public void rebootDomain(String name) {
        domains.reboot(name);
    }

    @Override
    public void suspendDomain(String name) {
        domains.suspend(name);
    }

    @Override
    public void resumeDomain(String name) {
        domains.resume(name);
    }

    @Override
    public void destroyDomain(String name) {
        domains.destroy(name);
    }

    /**
     * Each destroy waits in libvirtd until QEMU's process is gone, reaped by its parent: the host's init, which on
     * this project's machines reaps about once a second. libvirtd destroys several domains at once, but calls on this
     * connection go one at a time; so each domain is destroyed on a connection of its own, all together.
     */
    @Override
    public void destroyDomains(List<String> names) {
        if (names.size() < 2) {
            Hypervisor.super.destroyDomains(names);
            return;
        }
        List<Thread> threads = new ArrayList<>();
        for (String name : names) {
            Thread thread = new Thread(() -> destroyOnOwnConnection(name), "virtunit-destroy-" + name);
            thread.setDaemon(true);
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void destroyOnOwnConnection(String name) {
        try (LibvirtCalls own = LibvirtCalls.open(calls.uri())) {
            new DomainOperations(own).destroy(name);
        } catch (RuntimeException e) {
            // the guest's own teardown destroys it on the lab's connection and reports any failure there
            LOG.debug("destroying {} on a connection of its own failed: {}", name, e.toString());
        }
    }

    @Override
    public void undefineDomain(String name) {
        domains.undefine(name);
    }

    @Override
    public GuestState domainState(String name) {
        return observations.state(name);
    }

    @Override
    public String domainXml(String name) {
        return domains.xml(name);
    }

    @Override
    public String domainUuid(String name) {
        return domains.uuid(name);
    }

    @Override
    public Optional<String> domainMetadata(String name, String namespaceUri) {
        return domains.metadata(name, namespaceUri);
    }

    @Override
    public DomainInfo domainInfo(String name) {
        return observations.info(name);
    }

    @Override
    public InterfaceCounters interfaceCounters(String name, String device) {
        return observations.interfaceCounters(name, device);
    }

    @Override
    public BlockCounters blockCounters(String name, String device) {
        return observations.blockCounters(name, device);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Every tag libvirt reports is included under its {@code virsh dommemstat} name. Sizes are in KiB; the
     * exceptions, as in virsh, are the fault and hugetlb counters (counts) and {@code last_update} (seconds since
     * the epoch).
     */
    @Override
    public Map<String, Long> memoryStats(String name) {
        return observations.memoryStats(name);
    }

    @Override
    public List<String> leasedAddresses(String name, String mac) {
        return observations.leasedAddresses(name, mac);
    }

    // ---- networks ----

    @Override
    public void createNetwork(String xml) {
        networks.create(xml);
    }

    @Override
    public boolean networkExists(String name) {
        return networks.exists(name);
    }

    @Override
    public List<String> networkNames() {
        return networks.names();
    }

    @Override
    public String networkXml(String name) {
        return networks.xml(name);
    }

    @Override
    public void removeNetwork(String name) {
        networks.remove(name);
    }

    // ---- storage ----

    @Override
    public void createPool(String xml) {
        storage.createPool(xml);
    }

    @Override
    public List<String> poolNames() {
        return storage.poolNames();
    }

    @Override
    public void refreshPool(String pool) {
        storage.refreshPool(pool);
    }

    @Override
    public String createVolume(String pool, String xml) {
        return storage.createVolume(pool, xml);
    }

    @Override
    public List<String> volumeNames(String pool) {
        return storage.volumeNames(pool);
    }

    @Override
    public void deleteVolume(String pool, String volume) {
        storage.deleteVolume(pool, volume);
    }

    @Override
    public void removePool(String pool) {
        storage.removePool(pool);
    }

    @Override
    public void ensurePool(String xml) {
        storage.ensurePool(xml);
    }

    @Override
    public Optional<String> volumePath(String pool, String volume) {
        return storage.volumePath(pool, volume);
    }

    /** On a connection of its own: an image of hundreds of MB would hold every other call's lock while it goes. */
    @Override
    public void uploadVolume(String pool, String volume, java.nio.file.Path file) {
        try (LibvirtCalls own = LibvirtCalls.open(calls.uri())) {
            new StorageOperations(own).uploadVolume(pool, volume, file);
        }
    }

    // ---- lifecycle ----

    /** Closes the connection; idempotent. Failures are logged, not thrown: the connection is unusable either way. */
    @Override
    public void close() {
        calls.close();
    }

    @Override
    public String toString() {
        return "LibvirtHypervisor[" + calls.uri() + "]";
    }
}
