package dev.virtunit.junit;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.extension.ConditionEvaluationResult.disabled;
import static org.junit.jupiter.api.extension.ConditionEvaluationResult.enabled;

/** {@link EnabledIfNestedVirtualization}: usable KVM whose vendor module allows guests to run KVM. */
final class NestedVirtualizationCondition extends HostCondition<EnabledIfNestedVirtualization> {

    private static final List<String> VENDOR_MODULES = List.of("kvm_intel", "kvm_amd");

    private final KvmCondition kvm;

    NestedVirtualizationCondition() {
        this(HostFacts.local());
    }

    NestedVirtualizationCondition(HostFacts facts) {
        super(EnabledIfNestedVirtualization.class, facts);
        this.kvm = new KvmCondition(facts);
    }

    @Override
    ConditionEvaluationResult decide(EnabledIfNestedVirtualization found, ExtensionContext context) {
        return decide(kvm.decide(null, context));
    }

    /** The decision, given KVM's own ({@link KvmCondition}), since a guest can nest only what its host accelerates. */
    ConditionEvaluationResult decide(ConditionEvaluationResult kvmDecision) {
        if (kvmDecision.isDisabled()) {
            return disabled("nested virtualisation needs KVM: " + kvmDecision.getReason().orElse("KVM is not usable"));
        }
        for (String module : VENDOR_MODULES) {
            Path parameter = Path.of("/sys/module", module, "parameters", "nested");
            Optional<String> value = facts.read(parameter).map(String::strip);
            if (value.isPresent()) {
                return value.get().equals("Y") || value.get().equals("1")
                        ? enabled("nested virtualisation is on (" + parameter + " is " + value.get() + ")")
                        : disabled("nested virtualisation is off: " + parameter + " is " + value.get()
                                + " (reload the module with nested=1, e.g. `modprobe -r " + module + " && modprobe "
                                + module + " nested=1`, with no guest running)");
            }
        }
        return disabled("nested virtualisation is unknown here: neither kvm_intel nor kvm_amd is loaded "
                + "(/sys/module/kvm_intel/parameters/nested and /sys/module/kvm_amd/parameters/nested are missing)");
    }
}
