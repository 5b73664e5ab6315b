package dev.virtunit.internal.lab;

import dev.virtunit.GuestSpec;
import dev.virtunit.InvalidDeclarationException;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The lab's guests by domain name, and the names it has handed out. A name is reserved before its guest is
 * provisioned, so two guests made at once never get the same one, and never reused, so a per-test guest never takes
 * the name of the one before it (logs stay unambiguous).
 */
final class GuestRegistry {

    private final String run;
    private final Predicate<String> domainExists;
    /** Reserved names map to null until their guest exists. */
    private final Map<String, LabGuest> guests = new LinkedHashMap<>();
    private final Set<String> namesUsed = new HashSet<>();

    /** {@code domainExists} asks libvirt, so a name some other domain has is never handed out. */
    GuestRegistry(String run, Predicate<String> domainExists) {
        this.run = run;
        this.domainExists = domainExists;
    }

    /** The spec's own name, refused when taken, or {@code vu-<run>-<label>} with a number added when that is. */
    synchronized String reserve(GuestSpec spec, String label) {
        if (spec.name().isPresent()) {
            String name = spec.name().get();
            if (guests.containsKey(name) || domainExists.test(name)) {
                throw new InvalidDeclarationException("Guest name '" + name + "' is already in use. "
                        + "Choose another name, leave the name out so virtunit picks a unique one, or remove the "
                        + "existing guest: virsh destroy " + name + "; virsh undefine " + name);
            }
            return take(name);
        }
        String base = Names.domain(run, label);
        String name = base;
        for (int n = 2; namesUsed.contains(name) || domainExists.test(name); n++) {
            name = base + "-" + n;
        }
        return take(name);
    }

    private String take(String name) {
        guests.put(name, null);
        namesUsed.add(name);
        return name;
    }

    /** The guest provisioned under a reserved name. */
    synchronized void add(String name, LabGuest guest) {
        guests.put(name, guest);
    }

    /** Forgets {@code name} (still never handed out again); returns its guest, or null if it had none. */
    synchronized LabGuest remove(String name) {
        return guests.remove(name);
    }

    /** Every guest that exists, oldest first. */
    synchronized List<LabGuest> all() {
        return guests.values().stream().filter(Objects::nonNull).toList();
    }
}
