package dev.virtunit.internal.lab;

import dev.virtunit.Guest;
import dev.virtunit.GuestSpec;
import dev.virtunit.InvalidDeclarationException;
import dev.virtunit.PoolHost;
import dev.virtunit.Segment;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * A lab's guests: each created on the lab's host (the KVM proof choosing its domain type, and trying again under
 * software emulation when KVM proves broken), or, in a lab over a pool of hosts, placed by the pool first; removed
 * one by one or together, wherever they run.
 */
final class LabGuests {

    private final LabSession lab;
    private final GuestRegistry registry;
    private final KvmProof kvmProof;
    /** The other hosts of a lab over a pool, on its home lab; null otherwise. */
    private volatile HostPool hostPool;
    /** The name of this lab's host in a pool; empty outside one (then its URI's host, or {@code local}). */
    private volatile Optional<String> poolName = Optional.empty();
    private volatile Function<Segment, Segment> segmentsHere = Function.identity();

    LabGuests(LabSession lab, GuestRegistry registry, KvmProof kvmProof) {
        this.lab = lab;
        this.registry = registry;
        this.kvmProof = kvmProof;
    }

    /** On the home lab: guests are placed over the pool's hosts from now on. */
    void placeOver(HostPool pool) {
        this.hostPool = pool;
    }

    /**
     * This lab's host is the pool host named so; {@code segments} gives what a guest's NIC plugs into here (on a
     * host other than the home, a home bridge's continuation: {@link SpanningSegments}).
     */
    void inPool(String name, Function<Segment, Segment> segments) {
        this.poolName = Optional.of(name);
        this.segmentsHere = segments;
    }

    /** The segment a guest's NIC plugs into on this lab's host for {@code declared}. */
    Segment segmentHere(Segment declared) {
        return segmentsHere.apply(declared);
    }

    /** The name of this lab's host: in its pool, else {@code local} or the remote host's. */
    String hostName() {
        return poolName.orElseGet(() -> lab.site().remoteHostName().orElse(PoolHost.LOCAL));
    }

    Optional<HostPool> pool() {
        return Optional.ofNullable(hostPool);
    }

    LabGuest create(GuestSpec spec, String label) {
        HostPool pool = hostPool;
        return pool == null ? createHere(spec, label) : pool.create(spec, label);
    }

    /** Creates the guest on this lab's host (where a pool placed it). */
    LabGuest createHere(GuestSpec spec, String label) {
        requireThisHost(spec);
        AccelerationChooser.Choice choice = kvmProof.choose(spec, lab.config().acceleration());
        String name = registry.reserve(spec, label);
        LabGuest guest;
        try {
            guest = GuestProvisioner.provision(lab, spec, name, choice.domainType());
        } catch (RuntimeException e) {
            registry.remove(name);
            return kvmProof.afterFailedStart(choice, e, () -> createHere(spec, label));
        }
        registry.add(name, guest);
        return kvmProof.settle(guest, choice, this::remove, () -> createHere(spec, label));
    }

    /** Creates every guest before awaiting any, so they boot side by side; a failure removes those made. */
    List<Guest> createAll(List<GuestSpec> specs) {
        List<LabGuest> created = new ArrayList<>();
        try {
            for (GuestSpec spec : specs) {
                created.add(create(spec, "guest"));
            }
            for (LabGuest guest : created) {
                guest.awaitReady();
            }
        } catch (RuntimeException e) {
            // Newest first, domains destroyed together; the removal's own failure must not hide the first one.
            try {
                remove(created);
            } catch (RuntimeException removal) {
                e.addSuppressed(removal);
            }
            throw e;
        }
        return List.copyOf(created);
    }

    /** A guest that declares a host must be on it: outside a pool, that is this lab's one host. */
    private void requireThisHost(GuestSpec spec) {
        if (spec.host().isEmpty()) {
            return;
        }
        String here = hostName();
        if (!spec.host().get().equals(here)) {
            throw new InvalidDeclarationException("a guest of " + spec.origin() + " declares host " + spec.host().get()
                    + ", and this lab runs on one host, " + here + " (" + lab.config().libvirtUri() + "): leave host out, "
                    + "or list the hosts to spread guests over in virtunit.hosts");
        }
    }

    void remove(Guest guest) {
        LabGuest ours = registry.remove(guest.name());
        if (ours != null) {
            ours.remove();
        } else if (hostPool != null) {
            hostPool.memberOf(guest).ifPresent(member -> member.lab().remove(guest));
        }
    }

    /** Removes those of {@code guests} that are this lab's together, domains first; then the pool's other hosts'. */
    void remove(List<? extends Guest> guests) {
        GuestRemoval.together(lab.hypervisor(), guests.stream().map(g -> registry.remove(g.name()))
                .filter(g -> g != null).toList());
        if (hostPool != null) {
            hostPool.removeOnOtherHosts(guests);
        }
    }

    /** This lab's guests, oldest first. */
    List<LabGuest> here() {
        return registry.all();
    }

    /** Every guest, oldest first; in a lab over a pool, the other hosts' after the home's. */
    List<LabGuest> all() {
        List<LabGuest> all = new ArrayList<>(registry.all());
        if (hostPool != null) {
            all.addAll(hostPool.otherHostsGuests());
        }
        return all;
    }

    /** Whether the guest named so is this lab's (not another pool host's). */
    boolean owns(String guestName) {
        return registry.all().stream().anyMatch(guest -> guest.name().equals(guestName));
    }
}
