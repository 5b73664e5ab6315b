package dev.virtunit.internal.host;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CommandTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Test
    void capturesBothOutputsAndTheExitCode() {
        CommandResult result = Command.run(TIMEOUT, "sh", "-c", "echo out; echo err >&2; exit 3");

        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(result.stdout()).isEqualTo("out\n");
        assertThat(result.stderr()).isEqualTo("err\n");
        assertThat(result.succeeded()).isFalse();
    }

    @Test
    void passesArgumentsVerbatimWithoutAShell() {
        CommandResult result = Command.check(TIMEOUT, "printf", "%s|", "a b", "$HOME", "'quoted'");

        assertThat(result.stdout()).isEqualTo("a b|$HOME|'quoted'|");
    }

    @Test
    void failureMessageNamesTheCommandExitCodeAndStderr() {
        assertThatThrownBy(() -> Command.check(TIMEOUT, "sh", "-c", "echo 'no such bridge' >&2; exit 2"))
                .isInstanceOf(CommandFailedException.class)
                .hasMessage("sh -c 'echo '\\''no such bridge'\\'' >&2; exit 2' failed with exit code 2: no such bridge")
                .satisfies(e -> assertThat(((CommandFailedException) e).result().exitCode()).isEqualTo(2));
    }

    @Test
    void inputReachesTheProgramsStdinAndAProgramThatStopsReadingEarlyIsAResult() {
        HostCommands local = HostCommands.local();

        assertThat(local.check(TIMEOUT, java.util.List.of("cat"), "line one\nline two\n".getBytes()).stdout())
                .isEqualTo("line one\nline two\n");
        assertThat(local.run(TIMEOUT, java.util.List.of("sh", "-c", "exit 4"), new byte[1 << 20]).exitCode())
                .as("a megabyte the program never reads").isEqualTo(4);
        assertThatThrownBy(() -> local.check(TIMEOUT, java.util.List.of("sh", "-c", "cat >&2; exit 1"), "bad rule".getBytes()))
                .isInstanceOf(CommandFailedException.class)
                .hasMessageEndingWith("failed with exit code 1: bad rule");
    }

    @Test
    void aMissingProgramSaysHowToInstallIt() {
        assertThatThrownBy(() -> Command.run(TIMEOUT, "virtunit-no-such-program"))
                .isInstanceOf(CommandFailedException.class)
                .hasMessageStartingWith("cannot start virtunit-no-such-program:")
                .hasMessageEndingWith("(is the program installed? scripts/setup-host installs what virtunit needs)");
    }

    @Test
    void aCommandThatOverrunsItsTimeoutIsKilledAndReported() {
        long started = System.nanoTime();

        assertThatThrownBy(() -> Command.run(Duration.ofMillis(300), "sh", "-c", "echo starting >&2; sleep 30"))
                .isInstanceOf(CommandFailedException.class)
                .hasMessageContaining("did not finish within PT0.3S");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void aLargeStderrDoesNotStallTheProcess() {
        // 1 MiB on stderr fills any pipe buffer; both streams must be drained concurrently.
        CommandResult result = Command.check(TIMEOUT, "sh", "-c", "head -c 1048576 /dev/zero | tr '\\0' x >&2; echo done");

        assertThat(result.stdout()).isEqualTo("done\n");
        assertThat(result.stderr()).hasSize(1048576);
    }
}
