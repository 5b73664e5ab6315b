package dev.virtunit.junit;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.extension.ConditionEvaluationResult.disabled;
import static org.junit.jupiter.api.extension.ConditionEvaluationResult.enabled;

/** {@link EnabledIfOvsKernelDatapath}: is the openvswitch kernel module there. */
final class OvsKernelDatapathCondition extends HostCondition<EnabledIfOvsKernelDatapath> {

    OvsKernelDatapathCondition() {
        this(HostFacts.local());
    }

    OvsKernelDatapathCondition(HostFacts facts) {
        super(EnabledIfOvsKernelDatapath.class, facts);
    }

    @Override
    ConditionEvaluationResult decide(EnabledIfOvsKernelDatapath found, ExtensionContext context) {
        return decide();
    }

    ConditionEvaluationResult decide() {
        if (facts.exists(Path.of("/sys/module/openvswitch"))) {
            return enabled("the openvswitch kernel module is loaded");
        }
        // A datapath of type system exists only while the module is loaded; asked in case /sys is not mounted.
        boolean systemDatapath = facts.output(List.of("ovs-dpctl", "dump-dps"))
                .map(out -> out.lines().anyMatch(line -> line.strip().startsWith("system@"))).orElse(false);
        if (systemDatapath) {
            return enabled("ovs-dpctl lists a kernel (system@) datapath");
        }
        return disabled("no Open vSwitch kernel datapath: the openvswitch kernel module is not loaded "
                + "(/sys/module/openvswitch is missing and ovs-dpctl lists no system@ datapath); only the userspace "
                + "datapath (datapath_type=netdev) works here; `modprobe openvswitch` or a kernel that has the module");
    }
}
