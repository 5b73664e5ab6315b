package dev.virtunit.junit;

import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.container;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.skippedWithReason;
import static org.junit.platform.testkit.engine.EventConditions.test;

/** The conditions wired into real JUnit: a class or method they disable is reported skipped, with the reason. */
class HostConditionsEngineTest {

    private static EngineExecutionResults run(Class<?> testCase) {
        return EngineTestKit.engine("junit-jupiter").selectors(selectClass(testCase)).execute();
    }

    @Test
    void aClassWithoutMemoryForItsGuestsIsSkippedWithTheAmounts() {
        EngineExecutionResults results = run(NeedsAPetabyte.class);
        results.containerEvents().assertThatEvents().haveExactly(1, event(container(NeedsAPetabyte.class),
                skippedWithReason(reason -> reason.startsWith("not enough free memory: 1000 guests x 1048576 MiB = "
                        + "1048576000 MiB needed, ") && reason.contains("MiB available"))));
        assertThat(results.testEvents().started().count()).as("tests started").isZero();
    }

    @Test
    void aMethodIsSkippedAloneAndItsNeighboursRun() {
        EngineExecutionResults results = run(OneTestNeedsAPetabyte.class);
        results.testEvents().assertThatEvents().haveExactly(1, event(test("needsAPetabyte"),
                skippedWithReason(reason -> reason.startsWith("not enough free memory"))));
        assertThat(results.testEvents().succeeded().count()).isEqualTo(1);
    }

    /**
     * This host's own answer: where the CPU has no vmx/svm (this project's machines: a paravirtual KVM that libvirt
     * lists and that boots nothing) the KVM condition must skip, naming why.
     */
    @Test
    void kvmWithoutHardwareVirtualizationIsSkippedOnThisHost() throws IOException {
        String cpuinfo = Files.readString(Path.of("/proc/cpuinfo"));
        assumeTrue(!Pattern.compile("^flags\\s*:.*\\b(vmx|svm)\\b", Pattern.MULTILINE).matcher(cpuinfo).find(),
                "this CPU offers hardware virtualisation");
        EngineExecutionResults results = run(NeedsKvm.class);
        results.containerEvents().assertThatEvents().haveExactly(1, event(container(NeedsKvm.class),
                skippedWithReason(reason -> reason.contains("no vmx or svm flag in /proc/cpuinfo"))));
    }

    @EnabledIfFreeMemory(guests = 1000, mibPerGuest = 1024 * 1024)
    static class NeedsAPetabyte {
        @Test
        void neverRuns() {
            throw new AssertionError("must be skipped");
        }
    }

    static class OneTestNeedsAPetabyte {
        @Test
        @EnabledIfFreeMemory(guests = 1000, mibPerGuest = 1024 * 1024)
        void needsAPetabyte() {
            throw new AssertionError("must be skipped");
        }

        @Test
        @EnabledIfFreeMemory(guests = 1, mibPerGuest = 1)
        void needsOneMebibyte() {
        }
    }

    @EnabledIfKvm
    static class NeedsKvm {
        @Test
        void neverRunsWithoutKvm() {
            throw new AssertionError("must be skipped");
        }
    }
}
