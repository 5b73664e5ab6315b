package dev.virtunit.internal.lab;

import dev.virtunit.Bridge;
import dev.virtunit.Guest;
import dev.virtunit.GuestSpec;
import dev.virtunit.HostUnavailableException;
import dev.virtunit.InvalidDeclarationException;
import dev.virtunit.LabConfig;
import dev.virtunit.PoolHost;
import dev.virtunit.Segment;
import dev.virtunit.VirtunitException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A lab over several libvirt hosts ({@code virtunit.hosts}): one {@link LabSession} per host, each with its own run,
 * sweep, lease and record there, the first one the home that the test talks to (its bridges, their NAT and the
 * upstreams live there). A guest is placed by {@link GuestPlacement}'s rule, waiting while every host is full; a
 * guest on another host whose NIC is on a home bridge gets that bridge continued on its host ({@link SpanningSegments}).
 * Each host's capacity is logged when the lab starts, each placement when it is made, and what ran where at the end.
 */
final class HostPool {

    private static final Logger LOG = LoggerFactory.getLogger(HostPool.class);

    /** How many boot timeouts a guest waits for room on a full pool before it fails. */
    private static final int QUEUE_BOOT_TIMEOUTS = 5;

    private final List<PoolMember> members;
    private final Duration queueTimeout;
    private final SpanningSegments spanning;
    /** Guests waiting for room now. */
    private int waiting;

    private HostPool(List<PoolMember> members, Duration queueTimeout) {
        this.members = List.copyOf(members);
        this.queueTimeout = queueTimeout;
        this.spanning = new SpanningSegments(members.get(0), this.members);
    }

    /**
     * Starts a lab on every host of {@code config.hosts()} with {@code starter} (each sweeping its host first), and
     * returns the first, the home, with the others joined to it; a host that cannot be used closes those started.
     *
     * @throws HostUnavailableException naming the pool host that cannot be used
     */
    static LabSession start(LabConfig config, Function<LabConfig, LabSession> starter) {
        List<PoolHost> hosts = config.hosts();
        List<PoolMember> members = new ArrayList<>();
        try {
            for (PoolHost host : hosts) {
                members.add(new PoolMember(host, startOn(config, host, starter)));
            }
            requireOneLocalHostAtMost(members);
            HostPool pool = new HostPool(members, config.bootTimeout().multipliedBy(QUEUE_BOOT_TIMEOUTS));
            pool.spanning.prepare();
            LabSession home = members.get(0).lab();
            home.labGuests().placeOver(pool);
            for (PoolMember member : members) {
                member.lab().labGuests().inPool(member.host().name(), member.lab() == home ? Function.identity()
                        : segment -> pool.segmentOn(member, segment));
            }
            LOG.info("virtunit lab over {} hosts (home {}: bridges, NAT, upstreams): {}", members.size(),
                    members.get(0).host().name(), members.stream().map(PoolMember::describe)
                            .collect(Collectors.joining("; ")));
            return home;
        } catch (RuntimeException e) {
            for (int i = members.size() - 1; i >= 0; i--) {
                try {
                    members.get(i).lab().close();
                } catch (RuntimeException closing) {
                    e.addSuppressed(closing);
                }
            }
            throw e;
        }
    }

    private static LabSession startOn(LabConfig config, PoolHost host, Function<LabConfig, LabSession> starter) {
        try {
            return starter.apply(config.onPoolHost(host));
        } catch (HostUnavailableException e) {
            throw new HostUnavailableException("pool host " + host.name() + " (" + host.libvirtUri() + ") of "
                    + "virtunit.hosts cannot be used: " + e.getMessage(), e);
        }
    }

    /** Two pool hosts on this machine would be one host twice: bridges and tunnels of one run would meet. */
    private static void requireOneLocalHostAtMost(List<PoolMember> members) {
        List<String> local = members.stream().filter(m -> !m.lab().isRemote()).map(m -> m.host().name()).toList();
        if (local.size() > 1) {
            throw new InvalidDeclarationException("virtunit.hosts lists " + String.join(" and ", local) + ", which "
                    + "are all this machine: list this machine once (as local), and the others by their remote URI");
        }
    }

    /** The hosts, home first. */
    List<PoolMember> members() {
        return members;
    }

    /**
     * Places a guest ({@link GuestPlacement}), waiting while no host has room, and creates it there; the room is
     * given back when the guest is removed.
     */
    LabGuest create(GuestSpec spec, String label) {
        spec.host().ifPresent(name -> requireMember(spec, name));
        Optional<String> keptHome = spec.host().isPresent() ? Optional.empty() : whyAtHome(spec);
        Optional<String> declared = keptHome.isPresent() ? Optional.of(members.get(0).host().name()) : spec.host();
        requireSomeHostCanHold(spec);
        PlacedOn placed = acquire(spec, declared);
        PoolMember member = placed.member();
        LabGuest guest;
        try {
            guest = member.lab().labGuests().createHere(spec, label);
        } catch (RuntimeException e) {
            release(member, spec);
            throw e;
        }
        member.placed(guest.name());
        guest.onRemoval("room on pool host " + member.host().name(), () -> release(member, spec));
        LOG.info("guest {} placed on {}: {}", guest.name(), member.host().name(), keptHome.orElse(placed.reason()));
        return guest;
    }

    /**
     * Why a guest that declares no host goes to the home: a segment that does not span hosts. A libvirt network lives
     * on the home; virtunit's default network is one per host, so guests on it reach each other only on one host,
     * and tests that use it (guests with no NIC declared) rely on that.
     */
    private static Optional<String> whyAtHome(GuestSpec spec) {
        if (spec.nics().isEmpty()) {
            return Optional.of("the home, as it declares no network and virtunit's default network does not span "
                    + "hosts (declare host, or a bridge, to place it elsewhere)");
        }
        return spec.nics().stream().filter(nic -> nic.segment() instanceof LabLibvirtNetwork)
                .map(nic -> "the home, as its NIC is on libvirt network " + nic.segment().name() + ", which does not "
                        + "span hosts").findFirst();
    }

    private record PlacedOn(PoolMember member, String reason) {
    }

    private synchronized PlacedOn acquire(GuestSpec spec, Optional<String> declared) {
        Instant deadline = Instant.now().plus(queueTimeout);
        boolean toldWaiting = false;
        try {
            while (true) {
                List<GuestPlacement.Load> loads = members.stream().map(PoolMember::load).toList();
                Optional<GuestPlacement.Choice> choice = GuestPlacement.choose(loads, declared, spec.vcpus(),
                        spec.memoryMiB());
                if (choice.isPresent()) {
                    PoolMember member = members.get(choice.get().index());
                    member.take(spec);
                    return new PlacedOn(member, choice.get().reason());
                }
                String state = loads.stream().map(GuestPlacement.Load::describe).collect(Collectors.joining("; "));
                Duration left = Duration.between(Instant.now(), deadline);
                if (left.isNegative() || left.isZero()) {
                    throw new VirtunitException("a guest of " + spec.origin() + " (" + spec.vcpus() + " vCPUs, "
                            + spec.memoryMiB() + " MiB" + declared.map(h -> ", host " + h).orElse("") + ") waited "
                            + queueTimeout.toSeconds() + " s for room on the pool and none came free (" + state
                            + "): raise virtunit.hosts.maxGuests or virtunit.host.<name>.maxGuests, add a host to "
                            + "virtunit.hosts, or let fewer test classes run at once");
                }
                if (!toldWaiting) {
                    waiting++;
                    LOG.info("a guest of {} waits for room on {}: {}", spec.origin(), declared.orElse("the pool"),
                            state);
                    toldWaiting = true;
                }
                // Woken by release(): a guest of the lab was removed and its room came free. Never wait(0), which
                // would wait for ever when less than a millisecond is left.
                wait(Math.max(1, left.toMillis()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VirtunitException("interrupted while a guest of " + spec.origin() + " waited for room on the "
                    + "pool", e);
        } finally {
            // Placed, timed out or interrupted: it no longer waits.
            if (toldWaiting) {
                waiting--;
            }
        }
    }

    /** How many guests wait for room now: for tests. */
    synchronized int waitingGuests() {
        return waiting;
    }

    private synchronized void release(PoolMember member, GuestSpec spec) {
        member.give(spec);
        notifyAll();
    }

    private void requireMember(GuestSpec spec, String name) {
        if (members.stream().noneMatch(m -> m.host().name().equals(name))) {
            throw new InvalidDeclarationException("a guest of " + spec.origin() + " declares host " + name + ", which "
                    + "is not in virtunit.hosts (" + names() + "): name one of them, or leave host out so virtunit "
                    + "places it");
        }
    }

    /** A guest bigger than any host's free memory would wait forever: refused at once. */
    private void requireSomeHostCanHold(GuestSpec spec) {
        boolean fits = members.stream().anyMatch(m -> (spec.host().isEmpty()
                || spec.host().get().equals(m.host().name())) && m.couldEverHold(spec.memoryMiB()));
        if (!fits) {
            throw new InvalidDeclarationException("a guest of " + spec.origin() + " needs " + spec.memoryMiB()
                    + " MiB, more than " + spec.host().map(h -> "host " + h).orElse("any host of virtunit.hosts")
                    + " had free when the lab started (" + members.stream().map(PoolMember::describe)
                    .collect(Collectors.joining("; ")) + "): give it less memory (memoryMiB) or add a bigger host");
        }
    }

    private String names() {
        return members.stream().map(m -> m.host().name()).collect(Collectors.joining(", "));
    }

    /** Whether {@code guest} is one of another host's: the home's registry does not know it. */
    Optional<PoolMember> memberOf(Guest guest) {
        return members.stream().skip(1).filter(m -> m.lab().labGuests().owns(guest.name())).findFirst();
    }

    /** The guests of every host but the home, oldest first per host. */
    List<LabGuest> otherHostsGuests() {
        return members.stream().skip(1).flatMap(m -> m.lab().guests().stream()).toList();
    }

    /** Removes those of {@code guests} that run on other hosts, each host's together. */
    void removeOnOtherHosts(List<? extends Guest> guests) {
        members.stream().skip(1).forEach(m -> m.lab().remove(guests));
    }

    /** A home bridge is removed: its continuations on the other hosts go first. */
    void bridgeRemoved(Bridge bridge) {
        spanning.remove(bridge);
    }

    /** A home bridge is kept: its continuations are kept with it. */
    void bridgeKept(Bridge bridge) {
        spanning.keep(bridge);
    }

    /** The segment a guest on {@code member} plugs into for {@code segment}: a home bridge's continuation there. */
    Segment segmentOn(PoolMember member, Segment segment) {
        return spanning.segmentOn(member, segment);
    }

    /**
     * Closes the other hosts' labs, newest host first, before the home's: their guests use the home's bridges. With
     * {@code keepAll} (the home keeps everything) they keep everything too. Returns whether any of them kept anything.
     */
    boolean closeOtherHosts(boolean succeeded, boolean keepAll) {
        LOG.info("virtunit lab over {} hosts, what ran where: {}", members.size(), members.stream()
                .map(PoolMember::history).collect(Collectors.joining("; ")));
        AtomicBoolean kept = new AtomicBoolean();
        // Registered home side first, so that they run last host first; each runs whatever the others did.
        Teardown others = new Teardown();
        for (PoolMember member : members.subList(1, members.size())) {
            others.register("the lab on pool host " + member.host().name(), () -> {
                if (member.lab().closeKeeping(succeeded, keepAll)) {
                    kept.set(true);
                }
            });
        }
        others.run();
        return kept.get();
    }
}
