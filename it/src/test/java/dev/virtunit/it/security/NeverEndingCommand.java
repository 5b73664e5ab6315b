package dev.virtunit.it.security;

import dev.virtunit.Ssh;

import dev.virtunit.observe.ExecResult;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import static dev.virtunit.assertions.VirtunitAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The check every image gets: a command that never ends times out, is killed in the guest, and the handle goes on. */
public final class NeverEndingCommand {

    private NeverEndingCommand() {
    }

    /**
     * Runs a command that ignores SIGHUP and sleeps in a child of the login shell (closing the channel alone would
     * leave it running) with a 3 s timeout, then checks the error, the time it took, that the handle still works and
     * that no such process is left in the guest.
     */
    public static void timesOutAndLeavesNothingRunning(Ssh ssh) {
        String marker = "1000." + System.nanoTime() % 100_000;
        // Another command on the same connection, under way while the first times out and is killed: the kill must
        // not cost it the connection (OpenSSH drops a connection on a signal sent to a channel it already closed).
        CompletableFuture<ExecResult> neighbour = CompletableFuture.supplyAsync(
                () -> ssh.exec("sleep 6; echo neighbour done", Duration.ofSeconds(60)));
        long started = System.nanoTime();

        assertThatThrownBy(() -> ssh.exec("trap '' HUP; sleep " + marker + "; echo never", Duration.ofSeconds(3)))
                .hasMessageContaining("did not finish within 3s");

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(15));
        assertThat(neighbour.join()).succeeded().hasStdout("neighbour done");
        assertThat(ssh.exec("echo still usable")).succeeded().hasStdout("still usable");
        // [s]leep: the pattern does not match the shell that runs pgrep, whose own command line holds it.
        assertThat(ssh.exec("pgrep -f '[s]leep " + marker + "' || echo none left")).hasStdout("none left");
    }
}
