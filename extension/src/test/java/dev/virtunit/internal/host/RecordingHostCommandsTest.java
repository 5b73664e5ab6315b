package dev.virtunit.internal.host;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RecordingHostCommandsTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(1);

    private final RecordingHostCommands host = new RecordingHostCommands();

    @Test
    void recordsInOrderAndSucceedsSilentlyByDefault() {
        CommandResult result = host.run(TIMEOUT, List.of("ip", "link", "show"));
        host.start(List.of("sleep", "600"));

        assertThat(result.succeeded()).isTrue();
        assertThat(result.stdout()).isEmpty();
        assertThat(host.commands()).containsExactly(List.of("ip", "link", "show"), List.of("sleep", "600"));
        assertThat(host.rendered("sleep")).containsExactly("sleep 600");
    }

    @Test
    void answersFromTheNewestMatchingRuleAfterOneShotRules() {
        host.answer(List.of("ip"), "any ip\n");
        host.answer(List.of("ip", "netns"), 1, "", "no netns");
        host.answerOnce(List.of("ip", "netns", "list"), "vunt1a2bu\n");

        assertThat(host.run(TIMEOUT, List.of("ip", "netns", "list")).stdout()).isEqualTo("vunt1a2bu\n");
        assertThat(host.run(TIMEOUT, List.of("ip", "netns", "list")).stderr()).isEqualTo("no netns");
        assertThat(host.run(TIMEOUT, List.of("ip", "link")).stdout()).isEqualTo("any ip\n");
        assertThat(host.run(TIMEOUT, List.of("nft", "list")).exitCode()).isZero();
    }

    @Test
    void failsTheKthCommandAndTheFirstMatchingOne() {
        host.failCommand(2).failFirst(List.of("nft"));

        assertThat(host.run(TIMEOUT, List.of("a")).succeeded()).isTrue();
        assertThatThrownBy(() -> host.check(TIMEOUT, List.of("b")))
                .isInstanceOf(CommandFailedException.class)
                .hasMessage("b failed with exit code 1: " + RecordingHostCommands.INJECTED);
        assertThat(host.run(TIMEOUT, List.of("nft", "-f", "x")).succeeded()).isFalse();
        assertThat(host.run(TIMEOUT, List.of("nft", "-f", "x")).succeeded()).as("only the first").isTrue();
        host.failFirst(List.of("java"));
        assertThatThrownBy(() -> host.start(List.of("java", "Echo"))).isInstanceOf(CommandFailedException.class);
    }

    @Test
    void startedProgramsPrintTheirScriptAndRunUntilStopped() throws Exception {
        host.startedPrints(List.of("java"), "READY tcp 1 udp 2\n");

        HostProcess process = host.start(List.of("java", "Echo"));

        assertThat(new String(process.stdout().readAllBytes())).isEqualTo("READY tcp 1 udp 2\n");
        assertThat(process.isAlive()).isTrue();
        assertThat(process.exitCode()).isEmpty();
        process.closeInput();
        assertThat(process.waitFor(TIMEOUT)).isTrue();
        assertThat(process.exitCode()).hasValue(0);
        assertThat(host.started()).singleElement().satisfies(p -> assertThat(p.inputClosed()).isTrue());
    }
}
