package dev.virtunit.junit;

import dev.virtunit.Acceleration;
import dev.virtunit.LabConfig;
import dev.virtunit.HostUnavailableException;
import dev.virtunit.internal.lab.AccelerationChooser;
import dev.virtunit.internal.lab.KvmUsability;
import dev.virtunit.internal.lab.LabSession;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import static org.junit.jupiter.api.extension.ConditionEvaluationResult.disabled;
import static org.junit.jupiter.api.extension.ConditionEvaluationResult.enabled;

/** {@link EnabledIfKvm}: is KVM usable on the guests' host (this machine, or a remote lab's), not merely listed. */
final class KvmCondition extends HostCondition<EnabledIfKvm> {

    static final Path DEV_KVM = Path.of("/dev/kvm");

    KvmCondition() {
        this(HostFacts.local());
    }

    KvmCondition(HostFacts facts) {
        super(EnabledIfKvm.class, facts);
    }

    @Override
    ConditionEvaluationResult decide(EnabledIfKvm found, ExtensionContext context) {
        LabConfig config = LabConfig.resolve(context::getConfigurationParameter);
        if (KvmUsability.remoteUri(config.libvirtUri())) {
            return onLabHost(() -> LibvirtExtension.runLab(context), config.libvirtUri());
        }
        return decide(DEV_KVM, System.getProperty("os.arch"), config.libvirtUri(), config.cacheDir(),
                AccelerationChooser.currentHostKey());
    }

    /** The decision, from the host's facts; every reason says what was found and what would change it. */
    ConditionEvaluationResult decide(Path devKvm, String arch, String libvirtUri, Path cacheDir, String hostKey) {
        if (!facts.exists(devKvm)) {
            return disabled("KVM is not usable: " + devKvm + " does not exist (load kvm_intel or kvm_amd, enable "
                    + "virtualisation in the firmware, or run on a KVM-capable machine)");
        }
        if (!facts.readableAndWritable(devKvm)) {
            return disabled("KVM is not usable: " + devKvm + " is not readable and writable by user "
                    + System.getProperty("user.name") + " (give it group kvm and mode 0660 as udev does, "
                    + "e.g. sudo scripts/setup-host, and add the user to group kvm)");
        }
        Optional<String> missingFlag = missingHardwareVirtualization(arch);
        if (missingFlag.isPresent()) {
            return disabled("KVM is not usable: " + missingFlag.get());
        }
        Optional<String> capabilities = facts.output(List.of("virsh", "-c", libvirtUri, "capabilities"));
        if (capabilities.isEmpty()) {
            return disabled("KVM is not usable: libvirt at " + libvirtUri + " does not answer `virsh capabilities` "
                    + "(start libvirtd, e.g. sudo scripts/setup-host; run as root or in group libvirt)");
        }
        AccelerationChooser.Choice choice = new AccelerationChooser(devKvm, capabilities::get, cacheDir, hostKey)
                .choose(Acceleration.AUTO);
        return choice.kvm() ? enabled(choice.reason())
                : disabled("KVM is not usable: " + choice.reason());
    }

    /**
     * On x86 a KVM that boots ordinary guests needs the CPU's virtualisation extensions ({@link
     * KvmUsability#missingHardwareVirtualization}, the rule a remote host is judged by too).
     */
    private Optional<String> missingHardwareVirtualization(String arch) {
        return KvmUsability.missingHardwareVirtualization(arch, () -> facts.read(Path.of("/proc/cpuinfo")),
                () -> facts.exists(Path.of("/sys/module/kvm_pvm")));
    }

    /**
     * A lab on a remote libvirt host runs its guests there, so that host is judged, through the run's one lab (the
     * extension's, started here if no other extension has yet): its device, CPU, libvirt and remembered proof.
     * A host that cannot be reached disables, naming it; a configuration that cannot work is an error, not a skip.
     */
    static ConditionEvaluationResult onLabHost(Supplier<LabSession> runLab, String libvirtUri) {
        KvmUsability.Verdict verdict;
        try {
            verdict = KvmUsability.of(runLab.get());
        } catch (HostUnavailableException e) {
            return disabled("KVM is not usable: the libvirt host of " + libvirtUri + " cannot be used ("
                    + e.getMessage() + ")");
        }
        return verdict.usable() ? enabled(verdict.reason()) : disabled(verdict.reason());
    }
}
