package dev.virtunit.internal.libvirt;

import dev.virtunit.observe.BlockCounters;
import dev.virtunit.observe.DomainInfo;
import dev.virtunit.observe.GuestState;
import dev.virtunit.observe.InterfaceCounters;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything virtunit asks of libvirt, by object name and XML. {@link LibvirtHypervisor} is the real one, and its
 * package the only code that imports {@code org.libvirt}; tests of the layers above use fakes of this interface.
 *
 * <p>Removal methods are idempotent: removing what is not there is not an error, so teardown can always run
 * every step. Every failure is a {@link LibvirtOperationException} carrying libvirt's error code.
 */
public interface Hypervisor extends AutoCloseable {

    /** The connection URI, e.g. {@code qemu:///system}. */
    String uri();

    /** libvirt's capabilities XML ({@code virsh capabilities}). */
    String capabilitiesXml();

    /**
     * The host's free memory in bytes ({@code virsh freecell --all}): what a pool of hosts places guests by. A
     * hypervisor that cannot tell answers empty, and then only the host's total memory counts.
     */
    default java.util.OptionalLong freeMemoryBytes() {
        return java.util.OptionalLong.empty();
    }

    // ---- domains ----

    /** Defines a persistent domain from XML ({@code virsh define}); does not start it. */
    void defineDomain(String xml);

    boolean domainExists(String name);

    /** Names of all domains, running or not. */
    List<String> domainNames();

    /** {@code virsh start}. */
    void startDomain(String name);

    /**
     * {@code virsh save}: writes the running domain's memory and device state to {@code file} and stops it.
     *
     * @since 0.3
     */
    void saveDomain(String name, java.nio.file.Path file);

    /**
     * {@code virsh restore}: runs the domain that the save image {@code file} names (its XML is in the file) from the
     * state saved there; a persistent domain of that name and UUID is the one that runs.
     *
     * @since 0.3
     */
    void restoreDomain(java.nio.file.Path file);

    /** {@code virsh shutdown}: asks the guest to power off (ACPI); returns at once. */
    void shutdownDomain(String name);

    /** {@code virsh reboot}: asks the guest to reboot (ACPI); returns at once. */
    void rebootDomain(String name);

    /** {@code virsh suspend}. */
    void suspendDomain(String name);

    /** {@code virsh resume}. */
    void resumeDomain(String name);

    /** {@code virsh destroy}: hard power-off. No-op when not running or not defined. */
    void destroyDomain(String name);

    /**
     * {@code virsh destroy} of several domains at once where the hypervisor can (each waits until its QEMU process
     * is gone); no-op for those not running or missing. A domain not destroyed here fails later in its own
     * {@link #destroyDomain}, which reports why: this only saves time.
     *
     * @since 0.3
     */
    default void destroyDomains(List<String> names) {
        for (String name : names) {
            try {
                destroyDomain(name);
            } catch (RuntimeException e) {
                // the guest's own teardown destroys it again and reports the failure there
            }
        }
    }

    /** {@code virsh undefine}: removes the definition (and managed save, snapshot metadata, NVRAM). No-op when missing. */
    void undefineDomain(String name);

    /** The state, or {@link GuestState#UNDEFINED} when no such domain exists. */
    GuestState domainState(String name);

    /** {@code virsh dumpxml}: the live XML while running (with device names such as vnet0), else the inactive one. */
    String domainXml(String name);

    /** {@code virsh domuuid}. */
    String domainUuid(String name);

    /** The domain's {@code <metadata>} element in the given namespace, if present. */
    Optional<String> domainMetadata(String name, String namespaceUri);

    /** {@code virsh dominfo}. */
    DomainInfo domainInfo(String name);

    /** {@code virsh domifstat NAME DEVICE}; {@code device} is the host-side name (vnet0) or the MAC. */
    InterfaceCounters interfaceCounters(String name, String device);

    /** {@code virsh domblkstat NAME DEVICE}; {@code device} is the target (vda). */
    BlockCounters blockCounters(String name, String device);

    /** {@code virsh dommemstat}: tag (actual, rss, ...) to value in KiB. */
    Map<String, Long> memoryStats(String name);

    /** IPv4 addresses libvirt's DHCP server leased to the NIC with this MAC ({@code virsh domifaddr --source lease}). */
    List<String> leasedAddresses(String name, String mac);

    // ---- networks ----

    /** Defines and starts a libvirt network, autostart off ({@code net-define}, {@code net-start}). */
    void createNetwork(String xml);

    boolean networkExists(String name);

    /** Names of all networks, active or not. */
    List<String> networkNames();

    String networkXml(String name);

    /** {@code net-destroy} and {@code net-undefine}; no-op when missing. */
    void removeNetwork(String name);

    // ---- storage ----

    /** Defines, builds and starts a storage pool ({@code pool-define}, {@code pool-build}, {@code pool-start}). */
    void createPool(String xml);

    List<String> poolNames();

    /**
     * Makes sure a persistent pool is there, active and autostarted with its host: defined, built and started from
     * {@code xml} when missing, started when inactive. It stays after the lab (an image pool kept across runs); two
     * JVMs making it at once is no failure.
     *
     * @since 0.4
     */
    default void ensurePool(String xml) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot keep pools");
    }

    /**
     * The path of a volume on the hypervisor's host, empty when it or its pool does not exist.
     *
     * @since 0.4
     */
    default Optional<String> volumePath(String pool, String volume) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot look volumes up");
    }

    /**
     * Sends the content of the local {@code file} into an existing volume from its first byte, through the libvirt
     * connection ({@code virsh vol-upload}): the host need not share a filesystem with this machine. After a failure
     * the volume holds an unknown part of the file.
     *
     * @since 0.4
     */
    default void uploadVolume(String pool, String volume, java.nio.file.Path file) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot upload volumes");
    }

    /** Re-reads the pool's directory so files written beside libvirt show up as volumes. */
    void refreshPool(String pool);

    /** Creates a volume from XML and returns its path. */
    String createVolume(String pool, String xml);

    List<String> volumeNames(String pool);

    /** Deletes one volume; no-op when missing. */
    void deleteVolume(String pool, String volume);

    /** Deletes every volume, then the pool's directory, and undefines the pool; no-op when missing. */
    void removePool(String pool);

    /** Closes the connection; the hypervisor is unusable afterwards. */
    @Override
    void close();
}
