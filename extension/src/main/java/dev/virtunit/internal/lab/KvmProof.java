package dev.virtunit.internal.lab;

import dev.virtunit.Acceleration;
import dev.virtunit.GuestSpec;
import dev.virtunit.VirtunitException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Acceleration {@code auto} must prove that KVM boots a guest before choosing it: the first guest under AUTO on a
 * host that lists KVM is the proof. If it boots, KVM works here (and later runs are told so); if not, it is removed
 * and made again under software emulation (TCG).
 */
final class KvmProof {

    private static final Logger LOG = LoggerFactory.getLogger(KvmProof.class);

    private final AccelerationChooser chooser;

    KvmProof(AccelerationChooser chooser) {
        this.chooser = chooser;
    }

    /** The acceleration for {@code spec}: its own, else the lab's. */
    AccelerationChooser.Choice choose(GuestSpec spec, Acceleration configured) {
        return chooser.choose(spec.acceleration().orElse(configured));
    }

    /**
     * {@code guest} as made under {@code choice}; when that choice still awaits its proof, waits for the guest and
     * records the answer, and on failure removes it and returns what {@code again} makes (now under TCG).
     */
    LabGuest settle(LabGuest guest, AccelerationChooser.Choice choice, Consumer<LabGuest> remove, Supplier<LabGuest> again) {
        if (!choice.proofPending()) {
            return guest;
        }
        try {
            guest.awaitReady();
            chooser.recordProof(true);
            LOG.info("KVM booted {} on this host; later runs use KVM without asking", guest.name());
            return guest;
        } catch (VirtunitException e) {
            chooser.recordProof(false);
            LOG.warn("KVM is listed on this host but {} did not boot with it ({}); using software emulation (TCG) "
                    + "from now on", guest.name(), choice.reason());
            remove.accept(guest);
            return again.get();
        }
    }
}
