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
        TopologyBenchmark.pair(1, 1, recording(Tool.VIRTUNIT), recording(Tool.BASELINE), failed);
        TopologyBenchmark.pair(1, 2, recording(Tool.VIRTUNIT), recording(Tool.BASELINE), failed);

        assertThat(order).containsExactly("baseline 1", "virtunit 1", "virtunit 2", "baseline 2");
        assertThat(failed).isEmpty();
    }

    @Test
    void aFailedPairIsNotedAndMeasuredAgain() {
        int[] calls = {0};
        TopologyBenchmark.Measurement panicsOnce = (n, run) -> {
            if (calls[0]++ == 0) {
                throw new IllegalStateException("guest g1 was not ready\nconsole: Kernel panic");
            }
            return Runs.total(Tool.VIRTUNIT, n, run, 10);
        };

        List<TopologyRun> pair = TopologyBenchmark.pair(2, 3, panicsOnce, recording(Tool.BASELINE), failed);

        assertThat(pair).extracting(TopologyRun::tool).containsExactly(Tool.BASELINE, Tool.VIRTUNIT);
        assertThat(failed).containsExactly("N=2 run 3 attempt 1: IllegalStateException: guest g1 was not ready");
    }

    @Test
    void aPairThatNeverSucceedsEndsTheBenchmarkAfterThreeAttempts() {
        TopologyBenchmark.Measurement alwaysFails = (n, run) -> {
            throw new AssertionError("no ping answered");
        };

        assertThatThrownBy(() -> TopologyBenchmark.pair(1, 2, alwaysFails, recording(Tool.BASELINE), failed))
                .isInstanceOf(AssertionError.class).hasMessage("no ping answered");
        assertThat(failed).hasSize(TopologyBenchmark.ATTEMPTS)
                .allMatch(note -> note.endsWith("AssertionError: no ping answered"));
    }

    private TopologyBenchmark.Measurement recording(Tool tool) {
        return (n, run) -> {
            order.add(tool.label() + " " + run);
            return Runs.total(tool, n, run, 10);
        };
    }
}
