package dev.virtunit.bench;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TopologyBenchmarkTest {

    private final List<String> order = new ArrayList<>();
    private final List<String> failed = new ArrayList<>();

    @Test
    void theBaselineGoesFirstInOddRunsAndVirtunitInEvenOnes() {
        TopologyBenchmark.group(1, 1, List.of(recording(Tool.BASELINE), recording(Tool.VIRTUNIT)), failed);
        TopologyBenchmark.group(1, 2, List.of(recording(Tool.BASELINE), recording(Tool.VIRTUNIT)), failed);

        assertThat(order).containsExactly("baseline 1", "virtunit 1", "virtunit 2", "baseline 2");
        assertThat(failed).isEmpty();
    }

    @Test
    void restoredGuestsJoinTheGroupLastInOddRunsAndFirstInEvenOnes() {
        List<TopologyBenchmark.Measurement> tools = List.of(recording(Tool.BASELINE), recording(Tool.VIRTUNIT),
                recording(Tool.RESTORED));

        List<TopologyRun> odd = TopologyBenchmark.group(2, 1, tools, failed);
        TopologyBenchmark.group(2, 2, tools, failed);

        assertThat(order).containsExactly("baseline 1", "virtunit 1", "virtunit restored 1",
                "virtunit restored 2", "virtunit 2", "baseline 2");
        assertThat(odd).extracting(TopologyRun::tool).containsExactly(Tool.BASELINE, Tool.VIRTUNIT, Tool.RESTORED);
    }

    @Test
    void aFailureOfTheRestoredRunMeasuresTheWholeGroupAgain() {
        TopologyBenchmark.Measurement bootedOnce = failsOnce(Tool.RESTORED, "guest g1 was booted, not restored from a template");

        List<TopologyRun> group = TopologyBenchmark.group(1, 1, List.of(recording(Tool.BASELINE),
                recording(Tool.VIRTUNIT), bootedOnce), failed);

        assertThat(order).containsExactly("baseline 1", "virtunit 1", "baseline 1", "virtunit 1");
        assertThat(group).extracting(TopologyRun::tool).containsExactly(Tool.BASELINE, Tool.VIRTUNIT, Tool.RESTORED);
        assertThat(failed).containsExactly("N=1 run 1 attempt 1: IllegalStateException: guest g1 was booted, not "
                + "restored from a template");
    }

    @Test
    void aFailedPairIsNotedAndMeasuredAgain() {
        TopologyBenchmark.Measurement panicsOnce = failsOnce(Tool.VIRTUNIT, "guest g1 was not ready\nconsole: Kernel panic");

        List<TopologyRun> pair = TopologyBenchmark.group(2, 3, List.of(recording(Tool.BASELINE), panicsOnce), failed);

        assertThat(pair).extracting(TopologyRun::tool).containsExactly(Tool.BASELINE, Tool.VIRTUNIT);
        assertThat(failed).containsExactly("N=2 run 3 attempt 1: IllegalStateException: guest g1 was not ready");
    }

    @Test
    void aPairThatNeverSucceedsEndsTheBenchmarkAfterThreeAttempts() {
        TopologyBenchmark.Measurement alwaysFails = (n, run) -> {
            throw new AssertionError("no ping answered");
        };

        assertThatThrownBy(() -> TopologyBenchmark.group(1, 2, List.of(recording(Tool.BASELINE), alwaysFails), failed))
                .isInstanceOf(AssertionError.class).hasMessage("no ping answered");
        assertThat(failed).hasSize(TopologyBenchmark.ATTEMPTS)
                .allMatch(note -> note.endsWith("AssertionError: no ping answered"));
    }

    /** {@code tool}'s measurement that throws {@code message} the first time, then takes 10 s. */
    private static TopologyBenchmark.Measurement failsOnce(Tool tool, String message) {
        int[] calls = {0};
        return (n, run) -> {
            if (calls[0]++ == 0) {
                throw new IllegalStateException(message);
            }
            return Runs.total(tool, n, run, 10);
        };
    }

    private TopologyBenchmark.Measurement recording(Tool tool) {
        return (n, run) -> {
            order.add(tool.label() + " " + run);
            return Runs.total(tool, n, run, 10);
        };
    }
}
