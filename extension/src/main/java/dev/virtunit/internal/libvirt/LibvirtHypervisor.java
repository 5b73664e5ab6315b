package dev.virtunit.internal.libvirt;

import dev.virtunit.observe.BlockCounters;
import dev.virtunit.observe.DomainInfo;
import dev.virtunit.observe.GuestState;
import dev.virtunit.observe.InterfaceCounters;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.DomainBlockStats;
import org.libvirt.DomainInterface;
import org.libvirt.DomainInterfaceStats;
import org.libvirt.Error;
import org.libvirt.ErrorCallback;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.Library;
import org.libvirt.LibvirtException;
import org.libvirt.MemoryStatistic;
import org.libvirt.Network;
import org.libvirt.StoragePool;
import org.libvirt.StorageVol;
import org.libvirt.event.ConnectionCloseReason;
import org.libvirt.jna.DomainPointer;
import org.libvirt.jna.Libvirt;
import org.libvirt.jna.virDomainInfo;
import org.libvirt.jna.virError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.ErrorHandler;
import org.xml.sax.InputSource;
import org.xml.sax.SAXParseException;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import java.io.StringReader;
import java.net.Inet4Address;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The real {@link Hypervisor}: libvirt through libvirt-java, and the only class that imports {@code org.libvirt}.
 *
 * <p>What the bindings leave to their caller is done here: every call holds one lock (a {@code Connect} is not
 * thread safe); every {@code Domain}, {@code Network}, {@code StoragePool} and {@code StorageVol} handle is freed in
 * {@code finally} (the bindings would otherwise free it from a finalizer, possibly after the connection closed);
 * integer results are checked (a {@code -1} throws only when libvirt left an error behind); and every
 * {@link LibvirtException} becomes a {@link LibvirtOperationException} that names the operation and the object and
 * carries libvirt's error code. libvirt's event loop runs on a daemon thread so keepalive notices a dead daemon.
 */
public final class LibvirtHypervisor implements Hypervisor {

    private static final Logger LOG = LoggerFactory.getLogger(LibvirtHypervisor.class);

    private static final String CONNECT_REMEDY =
            "is libvirtd running? scripts/setup-host starts it; are you root or in group libvirt?";

    /** Keepalive: a probe every 5 s, the connection is declared dead after 3 unanswered ones. */
    private static final int KEEPALIVE_INTERVAL_SECONDS = 5;
    private static final int KEEPALIVE_COUNT = 3;

    // virDomainUndefineFlagsValues
    private static final int UNDEFINE_MANAGED_SAVE = 1;
    private static final int UNDEFINE_SNAPSHOTS_METADATA = 2;
    private static final int UNDEFINE_NVRAM = 4;

    /** VIR_DOMAIN_METADATA_ELEMENT: the custom {@code <metadata>} child in a namespace. */
    private static final int METADATA_ELEMENT = 2;
    /** VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_LEASE: ask libvirt's own dnsmasq, no guest agent needed. */
    private static final int ADDRESSES_FROM_LEASES = 0;

    /** VIR_DOMAIN_MEMORY_STAT_* tag names as {@code virsh dommemstat} prints them, indexed by tag. */
    private static final List<String> MEMORY_STAT_TAGS = List.of("swap_in", "swap_out", "major_fault",
            "minor_fault", "unused", "available", "actual", "rss", "usable", "last_update", "disk_caches",
            "hugetlb_pgalloc", "hugetlb_pgfail");

    /** virDomainState, indexed by value. The bindings' own enum stops at CRASHED (see {@link #rawDomainInfo}). */
    private static final List<GuestState> DOMAIN_STATES = List.of(GuestState.NO_STATE, GuestState.RUNNING,
            GuestState.BLOCKED, GuestState.PAUSED, GuestState.SHUTTING_DOWN, GuestState.SHUT_OFF,
            GuestState.CRASHED, GuestState.PM_SUSPENDED);

    private final String uri;
    private final ReentrantLock lock = new ReentrantLock();
    /** Guarded by {@link #lock}; null once closed. */
    private NativeConnect connection;
    /** Why libvirt dropped the connection (keepalive timeout, daemon gone), reported in later failures. */
    private volatile ConnectionCloseReason lostBecause;

    private LibvirtHypervisor(String uri, NativeConnect connection) {
        this.uri = uri;
        this.connection = connection;
    }

    /**
     * Opens a read-write connection to {@code uri} (e.g. {@code qemu:///system}, or {@code test:///default} for
     * libvirt's in-memory test driver).
     *
     * @throws LibvirtOperationException when libvirt cannot be reached, saying what to check
     */
    public static LibvirtHypervisor connect(String uri) {
        Objects.requireNonNull(uri, "uri");
        NativeConnect connection;
        try {
            LibraryInit.ensureDone();
            connection = new NativeConnect(uri);
        } catch (LibvirtException e) {
            throw translate("cannot connect to libvirt at " + uri + ": " + libvirtMessage(e) + " (" + CONNECT_REMEDY
                    + ")", e.getError(), e);
        } catch (LinkageError e) {
            throw new LibvirtOperationException("cannot load libvirt's C library (libvirt.so.0) to connect to " + uri
                    + ": " + e + " (is libvirt installed? scripts/setup-host installs it)", -1, "VIR_ERR_UNKNOWN", e);
        }
        LibvirtHypervisor hypervisor = new LibvirtHypervisor(uri, connection);
        hypervisor.watch(connection);
        return hypervisor;
    }

    /** Keepalive and a close listener, so a daemon that died shows up as such instead of as a hang. */
    private void watch(NativeConnect connection) {
        try {
            if (!connection.setKeepAlive(KEEPALIVE_INTERVAL_SECONDS, KEEPALIVE_COUNT)) {
                LOG.debug("the libvirt daemon behind {} does not support keepalive", uri);
            }
        } catch (LibvirtException e) {
            // Local drivers (test:///, or qemu:/// opened without the daemon) have no keepalive to set.
            LOG.debug("no keepalive on {}: {}", uri, libvirtMessage(e));
        }
        try {
            connection.registerCloseListener((closed, reason) -> {
                if (reason != ConnectionCloseReason.CLIENT) {
                    lostBecause = reason;
                    LOG.warn("libvirt closed the connection to {} ({}); later calls will fail ({})", uri, reason,
                            CONNECT_REMEDY);
                }
            });
        } catch (LibvirtException e) {
            LOG.debug("cannot watch the connection to {} for closing: {}", uri, libvirtMessage(e));
        }
    }

    @Override
    public String uri() {
        return uri;
    }

    @Override
    public String capabilitiesXml() {
        return call("read the capabilities of " + uri, Connect::getCapabilities);
    }

    // ---- domains ----

    @Override
    public void defineDomain(String xml) {
        call("define domain" + quotedNameIn(xml), c -> use(c.domainDefineXML(xml), Domain::free, d -> null));
    }

    @Override
    public boolean domainExists(String name) {
        return call(domainAction("look up", name), c -> useIfPresent(findDomain(c, name), Domain::free, false,
                d -> true));
    }

    @Override
    public List<String> domainNames() {
        return call("list domains", c -> {
            Set<String> names = new LinkedHashSet<>();
            for (int id : c.listDomains()) {
                // A domain that stopped since the listing is simply not running any more; it is listed below if defined.
                Domain domain = findDomain(() -> c.domainLookupByID(id));
                useIfPresent(domain, Domain::free, null, d -> names.add(d.getName()));
            }
            names.addAll(List.of(c.listDefinedDomains()));
            return List.copyOf(names);
        });
    }

    @Override
    public void startDomain(String name) {
        onDomain("start", name, d -> check(d.create()));
    }

    @Override
    public void shutdownDomain(String name) {
        onDomain("shut down", name, d -> {
            d.shutdown();
            return null;
        });
    }

    @Override
    public void rebootDomain(String name) {
        onDomain("reboot", name, d -> {
            d.reboot(0);
            return null;
        });
    }

    @Override
    public void suspendDomain(String name) {
        onDomain("suspend", name, d -> {
            d.suspend();
            return null;
        });
    }

    @Override
    public void resumeDomain(String name) {
        onDomain("resume", name, d -> {
            d.resume();
            return null;
        });
    }

    @Override
    public void destroyDomain(String name) {
        call(domainAction("destroy", name), c -> useIfPresent(findDomain(c, name), Domain::free, null, d -> {
            if (check(d.isActive()) == 0) {
                return null;
            }
            try {
                d.destroy();
            } catch (LibvirtException e) {
                // It stopped by itself between the check and the destroy: what was asked for has happened.
                if (!(is(e, ErrorNumber.VIR_ERR_OPERATION_INVALID) && check(d.isActive()) == 0)) {
                    throw e;
                }
            }
            return null;
        }));
    }

    @Override
    public void undefineDomain(String name) {
        call(domainAction("undefine", name), c -> useIfPresent(findDomain(c, name), Domain::free, null, d -> {
            undefineWithEverything(d);
            return null;
        }));
    }

    /**
     * Undefines together with managed save, snapshot metadata and NVRAM, whatever of that the driver knows: a plain
     * undefine refuses a domain that has any of them. Drivers reject flags they do not know (the test driver
     * rejects NVRAM), so the flags are dropped one group at a time.
     */
    private static void undefineWithEverything(Domain domain) throws LibvirtException {
        int[] attempts = {UNDEFINE_MANAGED_SAVE | UNDEFINE_SNAPSHOTS_METADATA | UNDEFINE_NVRAM,
                UNDEFINE_MANAGED_SAVE | UNDEFINE_SNAPSHOTS_METADATA, 0};
        for (int i = 0; ; i++) {
            try {
                if (attempts[i] == 0) {
                    domain.undefine();
                } else {
                    domain.undefine(attempts[i]);
                }
                return;
            } catch (LibvirtException e) {
                if (is(e, ErrorNumber.VIR_ERR_NO_DOMAIN)) {
                    return;
                }
                boolean flagsRejected = is(e, ErrorNumber.VIR_ERR_INVALID_ARG)
                        || is(e, ErrorNumber.VIR_ERR_NO_SUPPORT) || is(e, ErrorNumber.VIR_ERR_ARGUMENT_UNSUPPORTED);
                if (!flagsRejected || i == attempts.length - 1) {
                    throw e;
                }
                LOG.debug("undefine flags {} rejected ({}), trying {}", attempts[i], libvirtMessage(e),
                        attempts[i + 1]);
            }
        }
    }

    @Override
    public GuestState domainState(String name) {
        return call(domainAction("read the state of", name), c -> {
            try {
                return guestState(c.rawDomainInfo(name).state);
            } catch (RawCallFailure e) {
                if (e.is(ErrorNumber.VIR_ERR_NO_DOMAIN)) {
                    return GuestState.UNDEFINED;
                }
                throw e;
            }
        });
    }

    @Override
    public String domainXml(String name) {
        // Flags 0: the live definition while the domain runs, else the persistent one.
        return onDomain("read the XML of", name, d -> d.getXMLDesc(0));
    }

    @Override
    public String domainUuid(String name) {
        return onDomain("read the UUID of", name, Domain::getUUIDString);
    }

    @Override
    public Optional<String> domainMetadata(String name, String namespaceUri) {
        return onDomain("read metadata " + namespaceUri + " of", name, d -> {
            try {
                return Optional.of(d.getMetadata(METADATA_ELEMENT, namespaceUri, 0));
            } catch (LibvirtException e) {
                if (is(e, ErrorNumber.VIR_ERR_NO_DOMAIN_METADATA)) {
                    return Optional.empty();
                }
                throw e;
            }
        });
    }

    @Override
    public DomainInfo domainInfo(String name) {
        return call(domainAction("read information about", name), c -> {
            virDomainInfo raw = c.rawDomainInfo(name);
            return use(c.domainLookupByName(name), Domain::free, d -> {
                boolean active = check(d.isActive()) == 1;
                return new DomainInfo(d.getName(), d.getUUIDString(),
                        active ? OptionalInt.of(check(d.getID())) : OptionalInt.empty(), d.getOSType(),
                        guestState(raw.state), Short.toUnsignedInt(raw.nrVirtCpu), Duration.ofNanos(raw.cpuTime),
                        raw.maxMem.longValue(), raw.memory.longValue(), check(d.isPersistent()) == 1,
                        d.getAutostart());
            });
        });
    }

    @Override
    public InterfaceCounters interfaceCounters(String name, String device) {
        return onDomain("read the counters of interface '" + device + "' of", name, d -> {
            DomainInterfaceStats s = d.interfaceStats(device);
            return new InterfaceCounters(device, s.rx_bytes, s.rx_packets, s.rx_errs, s.rx_drop, s.tx_bytes,
                    s.tx_packets, s.tx_errs, s.tx_drop);
        });
    }

    @Override
    public BlockCounters blockCounters(String name, String device) {
        return onDomain("read the counters of disk '" + device + "' of", name, d -> {
            DomainBlockStats s = d.blockStats(device);
            return new BlockCounters(device, s.rd_req, s.rd_bytes, s.wr_req, s.wr_bytes, s.errs);
        });
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
        return onDomain("read the memory statistics of", name, d -> {
            Map<String, Long> stats = new LinkedHashMap<>();
            for (MemoryStatistic stat : d.memoryStats(MEMORY_STAT_TAGS.size())) {
                int tag = stat.getTag();
                String tagName = tag >= 0 && tag < MEMORY_STAT_TAGS.size() ? MEMORY_STAT_TAGS.get(tag) : "tag_" + tag;
                stats.put(tagName, stat.getValue());
            }
            return Collections.unmodifiableMap(stats);
        });
    }

    @Override
    public List<String> leasedAddresses(String name, String mac) {
        return onDomain("read the DHCP leases of", name, d -> {
            List<String> addresses = new ArrayList<>();
            for (DomainInterface nic : d.interfaceAddresses(ADDRESSES_FROM_LEASES, 0)) {
                if (nic.hwAddr == null || !nic.hwAddr.equalsIgnoreCase(mac) || nic.addrs == null) {
                    continue;
                }
                for (DomainInterface.InterfaceAddress address : nic.addrs) {
                    if (address.address instanceof Inet4Address) {
                        addresses.add(address.address.getHostAddress());
                    }
                }
            }
            return List.copyOf(addresses);
        });
    }

    // ---- networks ----

    @Override
    public void createNetwork(String xml) {
        Optional<String> name = nameIn(xml);
        call("create network" + quoted(name), c -> {
            // Undo only what this call defined, never a network that was there before.
            boolean existed = name.isPresent() && useIfPresent(findNetwork(c, name.get()), Network::free, false,
                    n -> true);
            return use(c.networkDefineXML(xml), Network::free, network -> {
                try {
                    network.setAutostart(false);
                    network.create();
                } catch (LibvirtException | RuntimeException e) {
                    if (!existed) {
                        undo(e, network::undefine);
                    }
                    throw e;
                }
                return null;
            });
        });
    }

    @Override
    public boolean networkExists(String name) {
        return call("look up network '" + name + "'",
                c -> useIfPresent(findNetwork(c, name), Network::free, false, n -> true));
    }

    @Override
    public List<String> networkNames() {
        return call("list networks", c -> names(c.listNetworks(), c.listDefinedNetworks()));
    }

    @Override
    public String networkXml(String name) {
        return call("read the XML of network '" + name + "'",
                c -> use(c.networkLookupByName(name), Network::free, n -> n.getXMLDesc(0)));
    }

    @Override
    public void removeNetwork(String name) {
        call("remove network '" + name + "'", c -> useIfPresent(findNetwork(c, name), Network::free, null, n -> {
            try {
                // A transient network is gone once destroyed; only a persistent one has a definition to remove.
                boolean persistent = check(n.isPersistent()) == 1;
                if (check(n.isActive()) == 1) {
                    n.destroy();
                }
                if (persistent) {
                    n.undefine();
                }
            } catch (LibvirtException e) {
                if (!is(e, ErrorNumber.VIR_ERR_NO_NETWORK)) {
                    throw e;
                }
            }
            return null;
        }));
    }

    // ---- storage ----

    @Override
    public void createPool(String xml) {
        Optional<String> name = nameIn(xml);
        call("create pool" + quoted(name), c -> {
            boolean existed = name.isPresent() && useIfPresent(findPool(c, name.get()), StoragePool::free, false,
                    p -> true);
            return use(c.storagePoolDefineXML(xml, 0), StoragePool::free, pool -> {
                boolean built = false;
                try {
                    pool.build(0);
                    built = true;
                    pool.create(0);
                } catch (LibvirtException | RuntimeException e) {
                    if (!existed) {
                        if (built) {
                            // Removes the directory build made (an rmdir: never what someone else put there).
                            undo(e, () -> pool.delete(0));
                        }
                        undo(e, pool::undefine);
                    }
                    throw e;
                }
                return null;
            });
        });
    }

    @Override
    public List<String> poolNames() {
        return call("list storage pools", c -> names(c.listStoragePools(), c.listDefinedStoragePools()));
    }

    @Override
    public void refreshPool(String pool) {
        onPool("refresh", pool, p -> {
            p.refresh(0);
            return null;
        });
    }

    @Override
    public String createVolume(String pool, String xml) {
        return onPool("create volume" + quotedNameIn(xml) + " in", pool,
                p -> use(p.storageVolCreateXML(xml, 0), StorageVol::free, StorageVol::getPath));
    }

    @Override
    public List<String> volumeNames(String pool) {
        return onPool("list the volumes of", pool, p -> List.of(p.listVolumes()));
    }

    @Override
    public void deleteVolume(String pool, String volume) {
        call("delete volume '" + volume + "' of pool '" + pool + "'",
                c -> useIfPresent(findPool(c, pool), StoragePool::free, null, p -> {
                    deleteIfPresent(p, volume);
                    return null;
                }));
    }

    @Override
    public void removePool(String pool) {
        call("remove pool '" + pool + "'", c -> useIfPresent(findPool(c, pool), StoragePool::free, null, p -> {
            boolean persistent = check(p.isPersistent()) == 1;
            boolean active = check(p.isActive()) == 1 || tryToStart(p);
            LibvirtException directoryLeft = null;
            if (active) {
                // Files written into the directory beside libvirt (seed images, keys) become volumes, so they go too.
                p.refresh(0);
                for (String volume : p.listVolumes()) {
                    deleteIfPresent(p, volume);
                }
                p.destroy();
            }
            if (persistent) {
                try {
                    p.delete(0);
                } catch (LibvirtException e) {
                    if (active) {
                        directoryLeft = e;
                    } else {
                        // It would not start, most likely because its directory is gone already.
                        LOG.debug("pool '{}' would not start and its directory cannot be deleted: {}", pool,
                                libvirtMessage(e));
                    }
                }
                // Undefined even when the directory stays, so a later sweep does not trip over the same pool again.
                p.undefine();
            }
            if (directoryLeft != null) {
                throw directoryLeft;
            }
            return null;
        }));
    }

    /** Starts an inactive pool so its volumes can be listed and deleted; false when it will not start. */
    private static boolean tryToStart(StoragePool pool) {
        try {
            pool.create(0);
            return true;
        } catch (LibvirtException e) {
            LOG.debug("cannot start inactive pool to empty it: {}", libvirtMessage(e));
            return false;
        }
    }

    private static void deleteIfPresent(StoragePool pool, String volume) throws LibvirtException {
        StorageVol vol;
        try {
            vol = pool.storageVolLookupByName(volume);
        } catch (LibvirtException e) {
            if (is(e, ErrorNumber.VIR_ERR_NO_STORAGE_VOL)) {
                return;
            }
            throw e;
        }
        use(vol, StorageVol::free, v -> {
            v.delete(0);
            return null;
        });
    }

    // ---- lifecycle ----

    /** Closes the connection; idempotent. Failures are logged, not thrown: the connection is unusable either way. */
    @Override
    public void close() {
        lock.lock();
        try {
            NativeConnect closing = connection;
            if (closing == null) {
                return;
            }
            connection = null;
            try {
                closing.unregisterCloseListener();
            } catch (LibvirtException e) {
                LOG.debug("cannot unregister the close listener of {}: {}", uri, libvirtMessage(e));
            }
            try {
                int stillReferenced = closing.close();
                if (stillReferenced > 0) {
                    LOG.debug("connection to {} closed with {} references left", uri, stillReferenced);
                }
            } catch (LibvirtException e) {
                LOG.warn("cannot close the connection to {}: {}", uri, libvirtMessage(e));
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "LibvirtHypervisor[" + uri + "]";
    }

    // ---- the calling convention ----

    @FunctionalInterface
    private interface ConnectionCall<T> {
        T apply(NativeConnect connection) throws LibvirtException;
    }

    @FunctionalInterface
    private interface HandleCall<H, T> {
        T apply(H handle) throws LibvirtException;
    }

    @FunctionalInterface
    private interface Freer<H> {
        int free(H handle) throws LibvirtException;
    }

    @FunctionalInterface
    private interface LibvirtAction {
        void run() throws LibvirtException;
    }

    @FunctionalInterface
    private interface Lookup<H> {
        H find() throws LibvirtException;
    }

    /**
     * Runs {@code call} under the lock; a failure becomes "cannot {what}: libvirt's message".
     *
     * @param what the operation and its object, e.g. {@code start domain 'vu-1a2b-web'}
     */
    private <T> T call(String what, ConnectionCall<T> call) {
        lock.lock();
        try {
            if (connection == null) {
                throw new LibvirtOperationException("cannot " + what + ": the connection to " + uri
                        + " is closed", ErrorNumber.VIR_ERR_INVALID_CONN.ordinal(), "VIR_ERR_INVALID_CONN", null);
            }
            return call.apply(connection);
        } catch (LibvirtException e) {
            throw translate("cannot " + what + ": " + libvirtMessage(e) + lostConnectionHint(), e.getError(), e);
        } catch (RawCallFailure e) {
            throw translate("cannot " + what + ": " + e.getMessage() + lostConnectionHint(), e.error, e);
        } catch (UnreportedFailure e) {
            throw new LibvirtOperationException("cannot " + what + ": libvirt returned -1 without saying why"
                    + lostConnectionHint(), -1, "VIR_ERR_UNKNOWN", e);
        } finally {
            lock.unlock();
        }
    }

    private String lostConnectionHint() {
        ConnectionCloseReason reason = lostBecause;
        return reason == null ? "" : " (libvirt closed the connection to " + uri + ": " + reason + "; "
                + CONNECT_REMEDY + ")";
    }

    private <T> T onDomain(String action, String name, HandleCall<Domain, T> call) {
        return call(domainAction(action, name), c -> use(c.domainLookupByName(name), Domain::free, call));
    }

    private <T> T onPool(String action, String pool, HandleCall<StoragePool, T> call) {
        return call(action + " pool '" + pool + "'", c -> use(c.storagePoolLookupByName(pool), StoragePool::free,
                call));
    }

    private static String domainAction(String action, String name) {
        return action + " domain '" + name + "'";
    }

    /** Runs {@code call} on {@code handle}, then frees the handle whatever happened. */
    private static <H, T> T use(H handle, Freer<H> freer, HandleCall<H, T> call) throws LibvirtException {
        try {
            return call.apply(handle);
        } finally {
            try {
                int result = freer.free(handle);
                if (result < 0) {
                    LOG.debug("freeing a libvirt handle returned {}", result);
                }
            } catch (LibvirtException e) {
                // Never hide the outcome of the call behind a failure to free.
                LOG.debug("cannot free a libvirt handle: {}", libvirtMessage(e));
            }
        }
    }

    /** Like {@link #use}, but {@code whenMissing} when the lookup found nothing ({@code handle} is null). */
    private static <H, T> T useIfPresent(H handle, Freer<H> freer, T whenMissing, HandleCall<H, T> call)
            throws LibvirtException {
        return handle == null ? whenMissing : use(handle, freer, call);
    }

    private static Domain findDomain(Connect c, String name) throws LibvirtException {
        return findDomain(() -> c.domainLookupByName(name));
    }

    private static Domain findDomain(Lookup<Domain> lookup) throws LibvirtException {
        return find(lookup, ErrorNumber.VIR_ERR_NO_DOMAIN);
    }

    private static Network findNetwork(Connect c, String name) throws LibvirtException {
        return find(() -> c.networkLookupByName(name), ErrorNumber.VIR_ERR_NO_NETWORK);
    }

    private static StoragePool findPool(Connect c, String name) throws LibvirtException {
        return find(() -> c.storagePoolLookupByName(name), ErrorNumber.VIR_ERR_NO_STORAGE_POOL);
    }

    /** The looked-up handle, or null when libvirt says there is no such object. */
    private static <H> H find(Lookup<H> lookup, ErrorNumber missing) throws LibvirtException {
        try {
            return lookup.find();
        } catch (LibvirtException e) {
            if (is(e, missing)) {
                return null;
            }
            throw e;
        }
    }

    /** A best-effort undo after {@code failure}; its own failure is attached to the one being reported. */
    private static void undo(Exception failure, LibvirtAction undo) {
        try {
            undo.run();
        } catch (LibvirtException | RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    /**
     * The bindings throw on {@code -1} only when libvirt left an error in its thread-local slot; otherwise the
     * {@code -1} comes back as a value.
     */
    private static int check(int result) {
        if (result < 0) {
            throw new UnreportedFailure();
        }
        return result;
    }

    /** A {@code -1} from libvirt without an error; {@link #call} reports it with the operation. */
    private static final class UnreportedFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UnreportedFailure() {
            super("libvirt returned -1 without an error", null, false, false);
        }
    }

    private static List<String> names(String[] active, String[] inactive) {
        Set<String> names = new LinkedHashSet<>(List.of(active));
        names.addAll(List.of(inactive));
        return List.copyOf(names);
    }

    private static GuestState guestState(int state) {
        return state >= 0 && state < DOMAIN_STATES.size() ? DOMAIN_STATES.get(state) : GuestState.NO_STATE;
    }

    // ---- errors ----

    private static boolean is(LibvirtException e, ErrorNumber code) {
        return e.getError() != null && e.getError().getCode() == code;
    }

    private static String libvirtMessage(LibvirtException e) {
        Error error = e.getError();
        String message = error == null ? null : error.getMessage();
        return message == null ? String.valueOf(e.getMessage()) : message.strip();
    }

    /**
     * The bindings' {@link ErrorNumber} lists libvirt's codes in order, so its ordinal is the code, up to the last
     * code the bindings know; anything newer turns into their catch-all {@code VIR_ERR_UNKNOWN}, reported as -1
     * rather than as the code that happens to share its ordinal.
     */
    private static LibvirtOperationException translate(String message, Error error, Throwable cause) {
        ErrorNumber code = error == null ? null : error.getCode();
        if (code == null || code == ErrorNumber.VIR_ERR_UNKNOWN) {
            return new LibvirtOperationException(message, -1, "VIR_ERR_UNKNOWN", cause);
        }
        return new LibvirtOperationException(message, code.ordinal(), code.name(), cause);
    }

    // ---- XML ----

    private static String quotedNameIn(String xml) {
        return quoted(nameIn(xml));
    }

    private static String quoted(Optional<String> name) {
        return name.map(n -> " '" + n + "'").orElse("");
    }

    /** Without it the JDK's parser prints "[Fatal Error]" lines to stderr; the exception is enough. */
    private static final ErrorHandler SILENT_PARSE_ERRORS = new ErrorHandler() {
        @Override
        public void warning(SAXParseException e) {
        }

        @Override
        public void error(SAXParseException e) throws SAXParseException {
            throw e;
        }

        @Override
        public void fatalError(SAXParseException e) throws SAXParseException {
            throw e;
        }
    };

    /** The {@code <name>} child of the root element, to name the object in error messages before libvirt has it. */
    static Optional<String> nameIn(String xml) {
        if (xml == null) {
            return Optional.empty();
        }
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setExpandEntityReferences(false);
            factory.setNamespaceAware(true);
            DocumentBuilder builder = factory.newDocumentBuilder();
            builder.setErrorHandler(SILENT_PARSE_ERRORS);
            Element root = builder.parse(new InputSource(new StringReader(xml))).getDocumentElement();
            for (Node child = root.getFirstChild(); child != null; child = child.getNextSibling()) {
                if (child.getNodeType() == Node.ELEMENT_NODE && "name".equals(child.getLocalName())
                        && child.getNamespaceURI() == null) {
                    String name = child.getTextContent().strip();
                    return name.isEmpty() ? Optional.empty() : Optional.of(name);
                }
            }
            return Optional.empty();
        } catch (Exception e) {
            // Malformed XML: libvirt will say what is wrong with it.
            return Optional.empty();
        }
    }

    // ---- what the bindings lack ----

    /**
     * A {@link Connect} that reads {@code virDomainGetInfo} itself. The bindings' {@code DomainInfo} indexes an enum
     * that ends at {@code CRASHED}, so {@code Domain.getInfo()} throws {@link ArrayIndexOutOfBoundsException} for a
     * guest its own power management suspended ({@code VIR_DOMAIN_PMSUSPENDED} = 7). The subclass has the
     * connection pointer the raw call needs.
     */
    private static final class NativeConnect extends Connect {

        NativeConnect(String uri) throws LibvirtException {
            super(uri, false);
        }

        /** The raw info of the named domain; a missing domain fails with {@code VIR_ERR_NO_DOMAIN}. */
        virDomainInfo rawDomainInfo(String name) {
            Libvirt libvirt = Libvirt.INSTANCE;
            DomainPointer domain = libvirt.virDomainLookupByName(vcp, name);
            if (domain == null) {
                throw new RawCallFailure(lastError());
            }
            try {
                virDomainInfo info = new virDomainInfo();
                if (libvirt.virDomainGetInfo(domain, info) < 0) {
                    throw new RawCallFailure(lastError());
                }
                return info;
            } finally {
                libvirt.virDomainFree(domain);
            }
        }

        private static Error lastError() {
            virError error = Libvirt.INSTANCE.virGetLastError();
            return error == null ? null : new Error(error);
        }
    }

    /**
     * A failure of a call made without the bindings' wrappers. It carries libvirt's {@link Error} and is translated
     * like a {@link LibvirtException}, whose constructor is package-private.
     */
    private static final class RawCallFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient Error error;

        RawCallFailure(Error error) {
            super(error == null || error.getMessage() == null ? "libvirt returned -1 without saying why"
                    : error.getMessage().strip(), null, false, false);
            this.error = error;
        }

        boolean is(ErrorNumber code) {
            return error != null && error.getCode() == code;
        }
    }

    /**
     * What libvirt needs once per JVM, before the first connection is opened: its default event loop, run on a
     * daemon thread (keepalive and close callbacks of remote connections need it), and an error handler that
     * keeps quiet (libvirt's default one prints every error to stderr, including the expected "not found" of an
     * idempotent removal; failures reach callers as exceptions instead).
     */
    private static final class LibraryInit {
        /** Held here because JNA frees a callback's native stub once the Java object is collected. */
        private static final ErrorCallback QUIET_ERRORS = new ErrorCallback();
        private static boolean done;

        private LibraryInit() {
        }

        static synchronized void ensureDone() throws LibvirtException {
            if (done) {
                return;
            }
            Connect.setErrorCallback(QUIET_ERRORS);
            Library.initEventLoop();
            Thread thread = new Thread(LibraryInit::runEventLoop, "virtunit-libvirt-events");
            thread.setDaemon(true);
            thread.start();
            done = true;
        }

        private static void runEventLoop() {
            while (true) {
                try {
                    Library.runEventLoop();
                    return; // only after Library.stopEventLoop(), which nothing calls
                } catch (InterruptedException e) {
                    return;
                } catch (LibvirtException | RuntimeException e) {
                    LOG.warn("libvirt's event loop failed, restarting it in a second: {}", e.toString());
                    // A pause, not a wait for a condition: a loop that keeps failing must not flood the log.
                    LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1));
                }
            }
        }
    }

}
