package dev.virtunit.internal.lab;

import dev.virtunit.Acceleration;
import dev.virtunit.GuestSpec;
import dev.virtunit.VirtunitException;
import dev.virtunit.internal.ssh.HostKeyRejectedException;
import dev.virtunit.internal.ssh.LoginRefusedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Acceleration {@code auto} must prove that KVM boots a guest before choosing it: the first guest under AUTO on a
 * host that lists KVM is the proof. If it boots, KVM works here (and later runs are told so). If it fails, only
 * evidence that KVM itself is at fault may switch the host to software emulation (TCG) for good, because the answer
 * is remembered for every later run: a bad image, a wrong user or a slow boot would otherwise poison it.
 * <ul>
 *   <li>libvirt or QEMU said KVM failed ({@link #KVM_ERRORS}): KVM is broken here; the guest is made again under TCG.
 *   <li>the guest wrote nothing on its serial console (SeaBIOS writes there at once under TCG, so a KVM that runs
 *       no code is the likely cause): the same guest is tried once under TCG; KVM is recorded as broken only if
 *       that boots, and otherwise the TCG attempt's error is the guest's own.
 *   <li>anything else (the guest printed, answered SSH, refused a login, failed cloud-init, timed out after
 *       output, or its image is bad): the guest's own error; the proof stays pending, nothing is retried.
 * </ul>
 */
final class KvmProof {

    private static final Logger LOG = LoggerFactory.getLogger(KvmProof.class);

    /** What libvirt and QEMU say when KVM, not the guest, failed; matched lower case anywhere in the error. */
    static final List<String> KVM_ERRORS = List.of("failed to initialize kvm", "could not access kvm kernel module",
            "/dev/kvm", "kvm_create_vm", "kvm_init_vcpu", "failed to set msr", "requires kvm", "domaintype=kvm",
            "kvm was enabled when probing, but it is not available",
            // QEMU's log when KVM could not run the guest's code; QEMU pauses it (Readiness reports that at once).
            "kvm internal error");

    /** What the evidence of a failed first KVM boot says. */
    enum Verdict { KVM_FAILED, NO_OUTPUT, GUEST_FAILED }

    private final AccelerationChooser chooser;
    /** Set while the same guest is tried under TCG to learn whether KVM or the guest is at fault. */
    private final ThreadLocal<Boolean> tcgTrial = ThreadLocal.withInitial(() -> false);

    /** How the lab chooses KVM or software emulation on its host, with what it asked that host already. */
    AccelerationChooser chooser() {
        return chooser;
    }

    KvmProof(AccelerationChooser chooser) {
        this.chooser = chooser;
    }

    /** The acceleration for {@code spec}: its own, else the lab's; TCG while a guest is tried under TCG. */
    AccelerationChooser.Choice choose(GuestSpec spec, Acceleration configured) {
        if (tcgTrial.get()) {
            return new AccelerationChooser.Choice(false, false, "software emulation (TCG) to tell KVM's fault from the guest's");
        }
        return chooser.choose(spec.acceleration().orElse(configured));
    }

    /**
     * {@code guest} as made under {@code choice}; when that choice still awaits its proof, waits for the guest and
     * records the answer, and on a failure KVM caused removes it and returns what {@code again} makes under TCG.
     */
    LabGuest settle(LabGuest guest, AccelerationChooser.Choice choice, Consumer<LabGuest> remove, Supplier<LabGuest> again) {
        return settle(guest, choice, LabGuest::awaitReady, LabGuest::consoleSinceStart, remove, again);
    }

    /** {@link #settle(LabGuest, AccelerationChooser.Choice, Consumer, Supplier)} for any kind of guest, for tests. */
    <G> G settle(G guest, AccelerationChooser.Choice choice, Consumer<G> awaitReady, Function<G, String> console,
            Consumer<G> remove, Supplier<G> again) {
        if (!choice.proofPending()) {
            return guest;
        }
        try {
            awaitReady.accept(guest);
            chooser.recordProof(true);
            LOG.info("KVM booted {} on {}; later runs use KVM without asking", guest, chooser.host());
            return guest;
        } catch (VirtunitException e) {
            Verdict verdict = judge(e, console.apply(guest));
            remove.accept(guest); // the caller gets no handle to it
            if (verdict == Verdict.GUEST_FAILED) {
                LOG.warn("{} failed under KVM for a reason of its own; KVM is neither proven nor blamed, and the next "
                        + "guest proves it (set virtunit.acceleration=tcg if KVM does hang guests here)", guest);
                throw e;
            }
            if (verdict == Verdict.KVM_FAILED) {
                return brokenKvm(guest, e, again);
            }
            return trialUnderTcg(guest, e, awaitReady, remove, again);
        }
    }

    /**
     * A guest that failed to start under a pending proof: if KVM is why, KVM is recorded as broken and
     * {@code again} makes the guest under TCG; otherwise {@code failure} is the guest's own and is thrown.
     */
    <G> G afterFailedStart(AccelerationChooser.Choice choice, RuntimeException failure, Supplier<G> again) {
        if (choice.proofPending() && failure instanceof VirtunitException e && judge(e, "") == Verdict.KVM_FAILED) {
            return brokenKvm("the first guest", e, again);
        }
        throw failure;
    }

    private <G> G brokenKvm(Object guest, VirtunitException e, Supplier<G> again) {
        chooser.recordProof(false);
        LOG.warn("KVM is listed on {} but failed {} ({}); using software emulation (TCG) from now on", chooser.host(),
                guest, e.getMessage());
        return again.get();
    }

    private <G> G trialUnderTcg(G guest, VirtunitException underKvm, Consumer<G> awaitReady, Consumer<G> remove,
            Supplier<G> again) {
        LOG.warn("{} wrote nothing on its console under KVM; trying it under software emulation (TCG) to learn whether "
                + "KVM is at fault", guest);
        G retried = null;
        tcgTrial.set(true);
        try {
            retried = again.get();
            awaitReady.accept(retried);
        } catch (RuntimeException theGuestsOwn) {
            if (retried != null) {
                remove.accept(retried);
            }
            theGuestsOwn.addSuppressed(underKvm);
            throw theGuestsOwn;
        } finally {
            tcgTrial.remove();
        }
        chooser.recordProof(false);
        LOG.warn("{} booted under TCG after writing nothing under KVM: KVM does not work on {}; later runs use "
                + "software emulation (TCG)", retried, chooser.host());
        return retried;
    }

    /** Whose fault a failed first boot under KVM is, from the error and what the console showed. */
    static Verdict judge(VirtunitException failure, String consoleOutput) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof LoginRefusedException || t instanceof HostKeyRejectedException) {
                return Verdict.GUEST_FAILED; // it answered SSH: its CPU ran
            }
            String message = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
            if (KVM_ERRORS.stream().anyMatch(message::contains)) {
                return Verdict.KVM_FAILED;
            }
        }
        return consoleOutput == null || consoleOutput.isBlank() ? Verdict.NO_OUTPUT : Verdict.GUEST_FAILED;
    }
}
