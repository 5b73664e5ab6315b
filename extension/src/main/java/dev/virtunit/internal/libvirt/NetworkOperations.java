package dev.virtunit.internal.libvirt;

import org.libvirt.Connect;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.LibvirtException;
import org.libvirt.Network;

import java.util.List;
import java.util.Optional;

import static dev.virtunit.internal.libvirt.LibvirtHandles.check;
import static dev.virtunit.internal.libvirt.LibvirtHandles.undo;
import static dev.virtunit.internal.libvirt.LibvirtHandles.use;
import static dev.virtunit.internal.libvirt.LibvirtHandles.useIfPresent;
import static dev.virtunit.internal.libvirt.LibvirtErrors.is;

/** libvirt networks by name: created active with autostart off, removed completely (idempotent). */
final class NetworkOperations {

    private final LibvirtCalls calls;

    NetworkOperations(LibvirtCalls calls) {
        this.calls = calls;
    }

    /** Defines and starts the network, autostart off. */
    void create(String xml) {
        Optional<String> name = DefinitionName.in(xml);
        calls.call("create network" + DefinitionName.quoted(name), c -> {
            // Undo only what this call defined, never a network that was there before.
            boolean existed = name.isPresent() && exists(c, name.get());
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

    boolean exists(String name) {
        return calls.repeatable("look up network '" + name + "'", c -> exists(c, name));
    }

    /** Names of all networks, active or not. */
    List<String> names() {
        return calls.repeatable("list networks",
                c -> LibvirtHandles.activeThenInactive(c.listNetworks(), c.listDefinedNetworks()));
    }

    String xml(String name) {
        return calls.repeatable("read the XML of network '" + name + "'",
                c -> use(c.networkLookupByName(name), Network::free, n -> n.getXMLDesc(0)));
    }

    /** Destroys and undefines; nothing to do when the network is not there. */
    void remove(String name) {
        calls.repeatable("remove network '" + name + "'", c -> useIfPresent(find(c, name), Network::free, null, n -> {
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

    private static boolean exists(Connect c, String name) throws LibvirtException {
        return useIfPresent(find(c, name), Network::free, false, n -> true);
    }

    private static Network find(Connect c, String name) throws LibvirtException {
        return LibvirtHandles.find(() -> c.networkLookupByName(name), ErrorNumber.VIR_ERR_NO_NETWORK);
    }
}
