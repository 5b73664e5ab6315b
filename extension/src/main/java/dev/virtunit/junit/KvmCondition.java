package dev.virtunit.junit;

import dev.virtunit.Acceleration;
import dev.virtunit.LabConfig;
import dev.virtunit.internal.lab.AccelerationChooser;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.extension.ConditionEvaluationResult.disabled;
import static org.junit.jupiter.api.extension.ConditionEvaluationResult.enabled;

/** {@link EnabledIfKvm}: is KVM usable here, not merely listed. */
final class KvmCondition extends HostCondition<EnabledIfKvm> {

    static final Path DEV_KVM = Path.of("/dev/kvm");
    private static final Pattern HARDWARE_VIRTUALIZATION = Pattern.compile("^flags\\s*:.*\\b(vmx|svm)\\b", Pattern.MULTILINE);

    KvmCondition() {
        this(HostFacts.local());
    }

    KvmCondition(HostFacts facts) {
        super(EnabledIfKvm.class, facts);
    }

    @Override
    ConditionEvaluationResult decide(EnabledIfKvm found, ExtensionContext context) {
        LabConfig config = LabConfig.resolve(context::getConfigurationParameter);
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
     * On x86 a KVM that boots ordinary guests needs the CPU's virtualisation extensions; a {@code /dev/kvm} without
     * them is paravirtual (such as kvm_pvm) or emulated, and libvirt still lists it.
     */
    private Optional<String> missingHardwareVirtualization(String arch) {
        String normalized = arch.toLowerCase(Locale.ROOT);
        if (!normalized.equals("amd64") && !normalized.equals("x86_64") && !normalized.matches("i[3-6]86|x86")) {
            return Optional.empty();
        }
        Optional<String> cpuinfo = facts.read(Path.of("/proc/cpuinfo"));
        if (cpuinfo.isEmpty() || HARDWARE_VIRTUALIZATION.matcher(cpuinfo.get()).find()) {
            return Optional.empty();
        }
        String paravirtual = facts.exists(Path.of("/sys/module/kvm_pvm")) ? " (the kvm_pvm module is loaded: "
                + "a paravirtual KVM)" : "";
        return Optional.of("the CPU offers no hardware virtualisation (no vmx or svm flag in /proc/cpuinfo), so "
                + "/dev/kvm boots no ordinary guest" + paravirtual + "; guests run under software emulation (TCG); "
                + "use a machine or VM with hardware or nested virtualisation");
    }
}
