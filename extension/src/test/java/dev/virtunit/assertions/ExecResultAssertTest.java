package dev.virtunit.assertions;

import dev.virtunit.observe.ExecResult;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static dev.virtunit.assertions.VirtunitAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ExecResultAssertTest {

    private static final ExecResult MISSING_LINK = new ExecResult("ip link show eth1", 1, "",
            "Device \"eth1\" does not exist.\n", Duration.ofMillis(12));

    private static final ExecResult ADDRESSES = new ExecResult("ip -br addr", 0,
            "lo               UNKNOWN        127.0.0.1/8 ::1/128 \neth0             UP             10.0.0.1/24 \n",
            "", Duration.ofMillis(8));

    private static final String ADDRESSES_DESCRIBED = """
              command:   ip -br addr
              exit code: 0
              stdout:
                lo               UNKNOWN        127.0.0.1/8 ::1/128\s
                eth0             UP             10.0.0.1/24\s
              stderr:    (empty)\
            """;

    @Test
    void bothStaticImportsLiveTogether() {
        // This compiles only because VirtunitAssertions.assertThat(ExecResult) is more specific than AssertJ's.
        ExecResultAssert fromUs = assertThat(ADDRESSES);
        assertThat("plain AssertJ still works").startsWith("plain");
        assertThat(fromUs).isNotNull();
    }

    @Test
    void passingAssertionsChain() {
        assertThat(ADDRESSES)
                .succeeded()
                .hasExitCode(0)
                .stdoutContains("10.0.0.1/24", "127.0.0.1/8")
                .stdoutMatches("(?s)lo .*eth0 .*")
                .stdoutContainsPattern("^eth0\\s+UP\\s+10\\.0\\.0\\.1/24")
                .stderrIsEmpty();
        assertThat(MISSING_LINK).failed().hasExitCode(1).stderrContains("does not exist");
        assertThat(new ExecResult("hostname", 0, "router\n", "", Duration.ZERO)).hasStdout("router");
    }

    @Test
    void succeededShowsWhatTheGuestSaid() {
        assertThatThrownBy(() -> assertThat(MISSING_LINK).succeeded())
                .isInstanceOf(AssertionError.class)
                .hasMessage("""
                        Expecting the command to succeed, but it exited with 1:
                          command:   ip link show eth1
                          exit code: 1
                          stdout:    (empty)
                          stderr:    Device "eth1" does not exist.""");
    }

    @Test
    void failed() {
        assertThatThrownBy(() -> assertThat(ADDRESSES).failed())
                .hasMessage("Expecting the command to fail, but it exited with 0:\n" + ADDRESSES_DESCRIBED);
    }

    @Test
    void hasExitCode() {
        assertThatThrownBy(() -> assertThat(MISSING_LINK).hasExitCode(2))
                .hasMessageStartingWith("Expecting exit code 2, but the command exited with 1:\n  command:   ip link show eth1\n");
    }

    @Test
    void stdoutContainsNamesWhatIsMissing() {
        assertThatThrownBy(() -> assertThat(ADDRESSES).stdoutContains("10.0.0.1/24", "10.0.0.2/24", "eth9"))
                .hasMessage("Expecting stdout to contain [\"10.0.0.1/24\", \"10.0.0.2/24\", \"eth9\"], but it does not "
                        + "contain [\"10.0.0.2/24\", \"eth9\"]:\n" + ADDRESSES_DESCRIBED);
    }

    @Test
    void hasStdoutIgnoresTrailingLineBreaksOnly() {
        ExecResult hostname = new ExecResult("hostname", 0, "router\n", "", Duration.ZERO);

        assertThat(hostname).hasStdout("router\n").hasStdout("router");
        assertThatThrownBy(() -> assertThat(hostname).hasStdout(" router"))
                .hasMessage("""
                        Expecting stdout to be " router" (trailing line breaks ignored), but it was not:
                          command:   hostname
                          exit code: 0
                          stdout:    router
                          stderr:    (empty)""");
    }

    @Test
    void stdoutMatchesTheWholeOutput() {
        assertThatThrownBy(() -> assertThat(ADDRESSES).stdoutMatches("eth0.*"))
                .hasMessage("Expecting stdout to match the regular expression \"eth0.*\", but it does not:\n"
                        + ADDRESSES_DESCRIBED);
    }

    @Test
    void stdoutContainsPattern() {
        assertThatThrownBy(() -> assertThat(ADDRESSES).stdoutContainsPattern("^eth1\\s"))
                .hasMessage("Expecting stdout to contain a match for the regular expression \"^eth1\\\\s\" "
                        + "(^ and $ match at line breaks), but it has none:\n" + ADDRESSES_DESCRIBED);
    }

    @Test
    void stderrAssertions() {
        assertThatThrownBy(() -> assertThat(MISSING_LINK).stderrIsEmpty())
                .hasMessageStartingWith("Expecting stderr to be empty, but it was not:\n");
        assertThatThrownBy(() -> assertThat(MISSING_LINK).stderrContains("Cannot find device"))
                .hasMessageStartingWith("Expecting stderr to contain [\"Cannot find device\"], but it does not "
                        + "contain [\"Cannot find device\"]:\n");
    }

    @Test
    void percentSignsInOutputAreShownAsIs() {
        ExecResult df = new ExecResult("df --output=pcent /", 0, "Use%\n 42%\n", "", Duration.ZERO);

        assertThatThrownBy(() -> assertThat(df).stdoutContains("%d"))
                .hasMessage("""
                        Expecting stdout to contain ["%d"], but it does not contain ["%d"]:
                          command:   df --output=pcent /
                          exit code: 0
                          stdout:
                            Use%
                             42%
                          stderr:    (empty)""");
    }

    @Test
    void longOutputIsCutToItsEnd() {
        String stdout = "x".repeat(5000) + "THE END";
        ExecResult chatty = new ExecResult("yes", 1, stdout, "", Duration.ZERO);

        assertThatThrownBy(() -> assertThat(chatty).succeeded())
                .hasMessage("Expecting the command to succeed, but it exited with 1:\n"
                        + "  command:   yes\n"
                        + "  exit code: 1\n"
                        + "  stdout:\n"
                        + "    (3007 earlier characters not shown)\n"
                        + "    " + "x".repeat(1993) + "THE END\n"
                        + "  stderr:    (empty)");
    }

    @Test
    void describedAsPrefixesTheMessage() {
        assertThatThrownBy(() -> assertThat(MISSING_LINK).as("eth1 of router").succeeded())
                .hasMessageStartingWith("[eth1 of router] Expecting the command to succeed");
    }

    @Test
    void nullIsReportedAsSuch() {
        assertThatThrownBy(() -> assertThat((ExecResult) null).succeeded())
                .hasMessageContaining("Expecting actual not to be null");
    }

    @Test
    void describeIsUsableOnItsOwn() {
        assertThat(ExecResultAssert.describe(ADDRESSES)).isEqualTo(ADDRESSES_DESCRIBED);
    }
}
