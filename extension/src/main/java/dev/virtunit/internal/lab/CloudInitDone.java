package dev.virtunit.internal.lab;

import dev.virtunit.observe.ExecResult;

import java.time.Duration;

/**
 * The last readiness phase of a guest with a NoCloud seed: cloud-init has finished. On a real image SSH answers
 * 10-20 s before cloud-init has run the test's {@code runcmd} and {@code write_files}, so a test that starts at
 * the first login races them. Asked with {@code cloud-init status --wait} where the image has cloud-init (the tiny
 * image has a stand-in that reports its own seed reader); an image without any is ready at login.
 */
final class CloudInitDone {

    /** Exit status of {@link #WAIT} when the image has no {@code cloud-init} command; cloud-init itself uses 0-2. */
    static final int NO_CLOUD_INIT = 100;

    /** Waits until cloud-init is done: exit 0 when done, 1 on error, 2 when done but degraded (recoverable errors). */
    static final String WAIT = "command -v cloud-init >/dev/null 2>&1 || exit " + NO_CLOUD_INIT
            + "; cloud-init status --wait >/dev/null";

    /** What explains a failure: the long status and the end of cloud-init's log (root only on some images). */
    static final String REPORT = "cloud-init status --long 2>&1; echo '--- last lines of /var/log/cloud-init.log:'; "
            + "{ tail -n 25 /var/log/cloud-init.log || sudo -n tail -n 25 /var/log/cloud-init.log; } 2>&1";

    /** How cloud-init ended; {@code report} is what explains a failure, empty otherwise. */
    record Outcome(Status status, String report) {
    }

    enum Status {
        DONE, NO_CLOUD_INIT, FAILED
    }

    private CloudInitDone() {
    }

    /** Waits at most {@code timeout} for cloud-init; a failed wait is explained by {@link #REPORT}'s output. */
    static Outcome await(GuestShell shell, Duration timeout) {
        ExecResult waited = shell.exec(WAIT, timeout);
        if (waited.exitCode() == NO_CLOUD_INIT) {
            return new Outcome(Status.NO_CLOUD_INIT, "");
        }
        if (waited.succeeded()) {
            return new Outcome(Status.DONE, "");
        }
        ExecResult report = shell.exec(REPORT, Duration.ofSeconds(20));
        String how = waited.exitCode() == 2 ? "done but degraded (recoverable errors)" : "an error";
        return new Outcome(Status.FAILED, "cloud-init reported " + how + " (cloud-init status exit "
                + waited.exitCode() + "): the seed or the test's userData failed in the guest. cloud-init status "
                + "--long says:\n" + (report.stdout() + report.stderr()).strip());
    }
}
