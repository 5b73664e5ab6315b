package dev.virtunit.internal.libvirt;

import dev.virtunit.internal.libvirt.LibvirtHandles.HandleCall;
import dev.virtunit.internal.libvirt.LibvirtHandles.Lookup;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.LibvirtException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static dev.virtunit.internal.libvirt.LibvirtHandles.check;
import static dev.virtunit.internal.libvirt.LibvirtHandles.use;
import static dev.virtunit.internal.libvirt.LibvirtHandles.useIfPresent;
import static dev.virtunit.internal.libvirt.LibvirtErrors.is;

/**
 * Domains by name: defining, the power lifecycle, removal (idempotent), and reading a domain's XML, UUID and
 * metadata. What is measured about a running domain is in {@link DomainObservations}.
 */
final class DomainOperations {

    private static final Logger LOG = LoggerFactory.getLogger(DomainOperations.class);

    // virDomainUndefineFlagsValues
    private static final int UNDEFINE_MANAGED_SAVE = 1;
    private static final int UNDEFINE_SNAPSHOTS_METADATA = 2;
    private static final int UNDEFINE_NVRAM = 4;

    /** VIR_DOMAIN_METADATA_ELEMENT: the custom {@code <metadata>} child in a namespace. */
    private static final int METADATA_ELEMENT = 2;

    private final LibvirtCalls calls;

    DomainOperations(LibvirtCalls calls) {
        this.calls = calls;
    }

    void define(String xml) {
        calls.call("define domain" + DefinitionName.quotedIn(xml),
                c -> use(c.domainDefineXML(xml), Domain::free, d -> null));
    }

    boolean exists(String name) {
        return calls.repeatable(action("look up", name), c -> useIfPresent(find(c, name), Domain::free, false,
                d -> true));
    }

    List<String> names() {
        return calls.repeatable("list domains", c -> {
            Set<String> names = new LinkedHashSet<>();
            for (int id : c.listDomains()) {
                // A domain that stopped since the listing is simply not running any more; it is listed below
                // if defined.
                Domain domain = find(() -> c.domainLookupByID(id));
                useIfPresent(domain, Domain::free, null, d -> names.add(d.getName()));
            }
            names.addAll(List.of(c.listDefinedDomains()));
            return List.copyOf(names);
        });
    }

    void start(String name) {
        on(calls, "start", name, d -> check(d.create()));
    }

    void save(String name, String file) {
        act("save", name, d -> d.save(file));
    }

    void restore(String file) {
        calls.call("restore domain from '" + file + "'", c -> {
            c.restore(file);
            return null;
        });
    }

    void shutdown(String name) {
        act("shut down", name, Domain::shutdown);
    }

    void reboot(String name) {
        act("reboot", name, d -> d.reboot(0));
    }

    void suspend(String name) {
        act("suspend", name, Domain::suspend);
    }

    void resume(String name) {
        act("resume", name, Domain::resume);
    }

    /** Hard power-off; nothing to do when the domain is not running or not defined. */
    void destroy(String name) {
        calls.repeatable(action("destroy", name), c -> useIfPresent(find(c, name), Domain::free, null, d -> {
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

    /** Removes the definition; nothing to do when there is none. */
    void undefine(String name) {
        calls.repeatable(action("undefine", name), c -> useIfPresent(find(c, name), Domain::free, null, d -> {
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
                LOG.debug("undefine flags {} rejected ({}), trying {}", attempts[i], LibvirtErrors.messageOf(e),
                        attempts[i + 1]);
            }
        }
    }

    /** The live definition while the domain runs (with device names such as vnet0), else the persistent one. */
    String xml(String name) {
        // Flags 0 ask for exactly that: no inactive, secure or migratable variant.
        return on(calls, "read the XML of", name, d -> d.getXMLDesc(0));
    }

    String uuid(String name) {
        return on(calls, "read the UUID of", name, Domain::getUUIDString);
    }

    Optional<String> metadata(String name, String namespaceUri) {
        return on(calls, "read metadata " + namespaceUri + " of", name, d -> {
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

    private void act(String action, String name, DomainAction act) {
        on(calls, action, name, d -> {
            act.run(d);
            return null;
        });
    }

    @FunctionalInterface
    private interface DomainAction {
        void run(Domain domain) throws LibvirtException;
    }

    // ---- shared with DomainObservations ----

    /** Runs {@code call} on the named domain; a missing domain fails with {@code VIR_ERR_NO_DOMAIN}. */
    static <T> T on(LibvirtCalls calls, String action, String name, HandleCall<Domain, T> call) {
        return calls.call(action(action, name), c -> use(c.domainLookupByName(name), Domain::free, call));
    }

    /** The operation as error messages name it, e.g. {@code start domain 'vu-1a2b-web'}. */
    static String action(String action, String name) {
        return action + " domain '" + name + "'";
    }

    private static Domain find(Connect c, String name) throws LibvirtException {
        return find(() -> c.domainLookupByName(name));
    }

    private static Domain find(Lookup<Domain> lookup) throws LibvirtException {
        return LibvirtHandles.find(lookup, ErrorNumber.VIR_ERR_NO_DOMAIN);
    }
}
