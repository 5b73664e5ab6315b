package dev.virtunit.internal.lab;

import dev.virtunit.observe.ExecResult;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The cloud-init phase of readiness: which exit status means what, and what a failure reports. */
class CloudInitDoneTest {

    private final List<String> ran = new ArrayList<>();

    private GuestShell guestAnswering(Map<String, ExecResult> answers) {
        return (command, timeout) -> {
            ran.add(command + " within " + timeout.toSeconds() + " s");
            return answers.get(command);
        };
    }

    private static ExecResult exit(int code, String stdout) {
        return new ExecResult("c", code, stdout, "", Duration.ZERO);
    }

    @Test
    void doneWhenCloudInitSaysSoWithinTheTimeLeft() {
        var outcome = CloudInitDone.await(guestAnswering(Map.of(CloudInitDone.WAIT, exit(0, ""))), Duration.ofSeconds(42));

        assertThat(outcome).isEqualTo(new CloudInitDone.Outcome(CloudInitDone.Status.DONE, ""));
        assertThat(ran).containsExactly("command -v cloud-init >/dev/null 2>&1 || exit 100; cloud-init status --wait "
                + ">/dev/null within 42 s");
    }

    @Test
    void anImageWithoutCloudInitIsNotWaitedFor() {
        var outcome = CloudInitDone.await(guestAnswering(Map.of(CloudInitDone.WAIT, exit(100, ""))), Duration.ofSeconds(5));

        assertThat(outcome.status()).isEqualTo(CloudInitDone.Status.NO_CLOUD_INIT);
        assertThat(ran).hasSize(1);
    }

    @Test
    void anErrorOrADegradedRunFailsWithTheLongStatusAndTheLogsEnd() {
        String report = "status: error\nerrors:\n  - ('scripts_user', RuntimeError(...))\n--- last lines of "
                + "/var/log/cloud-init.log:\n... Failed running /var/lib/cloud/instance/scripts/runcmd\n";
        var error = CloudInitDone.await(guestAnswering(Map.of(CloudInitDone.WAIT, exit(1, ""), CloudInitDone.REPORT,
                exit(0, report))), Duration.ofSeconds(5));
        var degraded = CloudInitDone.await(guestAnswering(Map.of(CloudInitDone.WAIT, exit(2, ""), CloudInitDone.REPORT,
                exit(0, "status: done\n"))), Duration.ofSeconds(5));

        assertThat(error.status()).isEqualTo(CloudInitDone.Status.FAILED);
        assertThat(error.report()).isEqualTo("cloud-init reported an error (cloud-init status exit 1): the seed or the "
                + "test's userData failed in the guest. cloud-init status --long says:\n" + report.strip());
        assertThat(degraded.report()).startsWith("cloud-init reported done but degraded (recoverable errors) "
                + "(cloud-init status exit 2)");
        assertThat(ran).contains(CloudInitDone.REPORT + " within 20 s");
    }
}
