package dev.virtunit.it;

import dev.virtunit.Guest;
import dev.virtunit.junit.LibvirtGuest;
import dev.virtunit.junit.LibvirtTest;
import dev.virtunit.internal.host.Command;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * Cleanup modes with real guests: {@code on-success} keeps a failed test's guest (and what it needs) for
 * inspection and removes a passing test's; {@code always} removes both. Run through real JUnit (EngineTestKit).
 */
class CleanupModeIT {

    static final List<String> names = new ArrayList<>();
    private String keptRun;

    @LibvirtTest
    static class OneFailsOnePasses {
        @LibvirtGuest(image = "${virtunit.testImage}")
        Guest guest;

        @Test
        void fails() {
            names.add("fail " + guest.name());
            assertThat(guest.ssh().exec("echo broken").stdout()).isEqualTo("working");
        }

        @Test
        void passes() {
            names.add("pass " + guest.name());
        }
    }

    private EngineExecutionResults run(String cleanup) {
        names.clear();
        return EngineTestKit.engine("junit-jupiter")
                .configurationParameter("virtunit.cleanup", cleanup)
                .selectors(selectClass(OneFailsOnePasses.class))
                .execute();
    }

    @Test
    void onSuccessKeepsTheFailedTestsGuestAndRemovesThePassingOnes() {
        EngineExecutionResults results = run("on-success");

        results.testEvents().assertStatistics(stats -> stats.succeeded(1).failed(1));
        String failed = nameOf("fail ");
        String passed = nameOf("pass ");
        keptRun = failed.split("-")[1];
        assertThat(domains()).contains(failed).doesNotContain(passed);
        // Kept means usable: it still runs, and the run is marked kept so no later sweep removes it.
        assertThat(Command.check(Duration.ofSeconds(30), "virsh", "-c", "qemu:///system", "domstate", failed).stdout())
                .contains("running");
        assertThat(Command.check(Duration.ofSeconds(10), "cat", "/var/lib/virtunit/runs/" + keptRun + ".run").stdout())
                .contains("kept=true");
    }

    @Test
    void alwaysRemovesBoth() {
        EngineExecutionResults results = run("always");

        results.testEvents().assertStatistics(stats -> stats.succeeded(1).failed(1));
        assertThat(domains()).doesNotContain(nameOf("fail "), nameOf("pass "));
    }

    /** Removes what on-success kept, as a user would once done inspecting. */
    @AfterEach
    void removeWhatWasKept() {
        if (keptRun != null) {
            Command.check(Duration.ofSeconds(300), "../scripts/check-leftovers", "--remove", "--prefix", "vu-" + keptRun + "-");
            assertThat(domains()).noneMatch(name -> name.contains(keptRun));
        }
    }

    private static String nameOf(String prefix) {
        return names.stream().filter(n -> n.startsWith(prefix)).findFirst().orElseThrow().substring(prefix.length());
    }

    private static List<String> domains() {
        return Command.check(Duration.ofSeconds(30), "virsh", "-c", "qemu:///system", "list", "--all", "--name")
                .stdout().lines().filter(line -> !line.isBlank()).toList();
    }
}
