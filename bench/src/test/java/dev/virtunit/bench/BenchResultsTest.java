package dev.virtunit.bench;

import org.junit.jupiter.api.Test;

import java.util.EnumMap;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BenchResultsTest {

    @Test
    void theRatioIsTheMedianOfThePairRatiosNotTheRatioOfTheMedians() {
        // Pairs: 10/5 = 2.0, 6/6 = 1.0, 12/10 = 1.2 -> median 1.2. The medians' ratio would be 10/6 = 1.67.
        BenchResults results = Runs.results(List.of(
                Runs.total(Tool.VIRTUNIT, 1, 1, 10), Runs.total(Tool.BASELINE, 1, 1, 5),
                Runs.total(Tool.VIRTUNIT, 1, 2, 6), Runs.total(Tool.BASELINE, 1, 2, 6),
                Runs.total(Tool.VIRTUNIT, 1, 3, 12), Runs.total(Tool.BASELINE, 1, 3, 10)));

        assertThat(results.medianRatio(1, Optional.empty()).getAsDouble()).isCloseTo(1.2, within());
    }

    @Test
    void eachPhaseHasItsOwnSpreadAndRatio() {
        BenchResults results = Runs.results(List.of(
                Runs.of(Tool.VIRTUNIT, 2, 1, 1.0, 6.0, 0.5, 0.4), Runs.of(Tool.BASELINE, 2, 1, 0.5, 6.0, 1.0, 0.2),
                Runs.of(Tool.VIRTUNIT, 2, 2, 3.0, 8.0, 0.5, 0.6), Runs.of(Tool.BASELINE, 2, 2, 1.0, 6.0, 1.0, 0.2)));

        assertThat(results.spread(Tool.VIRTUNIT, 2, Optional.of(Phase.PROVISION))).isEqualTo(new Spread(2.0, 1.0, 3.0, 2));
        assertThat(results.spread(Tool.VIRTUNIT, 2, Optional.empty())).isEqualTo(new Spread(10.0, 7.9, 12.1, 2));
        assertThat(results.medianRatio(2, Optional.of(Phase.PROVISION)).getAsDouble()).isCloseTo(2.5, within());
        assertThat(results.medianRatio(2, Optional.of(Phase.FIRST_ASSERTION)).getAsDouble()).isCloseTo(0.5, within());
    }

    @Test
    void theRatioLineGivesTheWorstMedianRatioOverAllNWithTwoDecimals() {
        BenchResults results = Runs.results(List.of(
                Runs.total(Tool.VIRTUNIT, 1, 1, 10.5), Runs.total(Tool.BASELINE, 1, 1, 10),
                Runs.total(Tool.VIRTUNIT, 2, 1, 11.3456), Runs.total(Tool.BASELINE, 2, 1, 10),
                Runs.total(Tool.VIRTUNIT, 4, 1, 9), Runs.total(Tool.BASELINE, 4, 1, 10)));

        assertThat(results.ratioLine()).isEqualTo("virtunit/baseline ratio: 1.13");
    }

    @Test
    void withoutAPairTheRatioIsNotAvailable() {
        BenchResults results = Runs.results(List.of(Runs.total(Tool.VIRTUNIT, 1, 1, 10)));

        assertThat(results.worstRatio()).isEqualTo(OptionalDouble.empty());
        assertThat(results.ratioLine()).isEqualTo("virtunit/baseline ratio: n/a");
        assertThat(results.markdown()).contains("| 1 | **total** | 10.00 (10.00-10.00) | n/a | n/a |");
    }

    @Test
    void theMarkdownHasARowPerNAndPhaseAndEndsWithExactlyOneRatioLine() {
        BenchResults results = new BenchResults(List.of(
                Runs.of(Tool.VIRTUNIT, 1, 1, 1.0, 6.0, 0.5, 0.4), Runs.of(Tool.BASELINE, 1, 1, 0.5, 5.0, 0.5, 0.5),
                Runs.of(Tool.VIRTUNIT, 2, 1, 1.0, 8.0, 1.0, 0.5), Runs.of(Tool.BASELINE, 2, 1, 0.5, 7.0, 1.0, 0.5)),
                List.of(new JvmSample(300L * 1024, 40L * 1024)),
                List.of(new ParallelClassesRun(true, 1, 30.0), new ParallelClassesRun(false, 1, 55.5)),
                List.of("N=2 run 1 attempt 1: GuestNotReadyException: not ready"), "ctx line");

        String markdown = results.markdown();
        List<String> lines = markdown.lines().toList();

        assertThat(lines.get(lines.size() - 1)).isEqualTo("virtunit/baseline ratio: 1.22");
        assertThat(lines.stream().filter(line -> line.contains("ratio: "))).hasSize(1);
        assertThat(markdown).contains("ctx line")
                .contains("| 1 | provision | 1.00 (1.00-1.00) | 0.50 (0.50-0.50) | 2.00 |")
                .contains("| 1 | boot to SSH | 6.00 (6.00-6.00) | 5.00 (5.00-5.00) | 1.20 |")
                .contains("| 1 | **total** | 7.90 (7.90-7.90) | 6.50 (6.50-6.50) | 1.22 |")
                .contains("| 2 | **total** | 10.50 (10.50-10.50) | 9.00 (9.00-9.00) | 1.17 |")
                .contains("| virtunit | 300 (300-300) | 300 (300-300) | 40 (40-40) | 80 |")
                .contains("| baseline | 300 (300-300) | - | - | 81 |")
                .contains("| 4 classes concurrent | 30.00 (30.00-30.00) |")
                .contains("| 4 classes one after another | 55.50 (55.50-55.50) |")
                .contains("## Failed attempts, measured again\n\n- N=2 run 1 attempt 1: GuestNotReadyException: not ready\n");
        assertThat(lines.stream().filter(line -> line.matches("\\| [12] \\|.*"))).hasSize(2 * 5);
    }

    @Test
    void theCsvHasAHeaderAndOneRowPerNAndPhaseWithTheTotal() {
        BenchResults results = Runs.results(List.of(
                Runs.of(Tool.VIRTUNIT, 1, 1, 1.0, 6.0, 0.5, 0.4), Runs.of(Tool.BASELINE, 1, 1, 0.5, 5.0, 0.5, 0.5)));

        List<String> rows = results.csv().lines().toList();

        assertThat(rows).containsExactly(
                "n,phase,virtunit_median_s,virtunit_min_s,virtunit_max_s,baseline_median_s,baseline_min_s,baseline_max_s,ratio_median,"
                        + "restored_median_s,restored_min_s,restored_max_s,restored_cold_ratio",
                "1,provision,1.00,1.00,1.00,0.50,0.50,0.50,2.00,,,,",
                "1,boot,6.00,6.00,6.00,5.00,5.00,5.00,1.20,,,,",
                "1,ping,0.50,0.50,0.50,0.50,0.50,0.50,1.00,,,,",
                "1,teardown,0.40,0.40,0.40,0.50,0.50,0.50,0.80,,,,",
                "1,total,7.90,7.90,7.90,6.50,6.50,6.50,1.22,,,,");
    }

    @Test
    void restoredOverColdIsTheMedianOfItsPairRatiosAndLeavesTheClosingLineToColdBoots() {
        // Restored/cold totals: 3/10 = 0.3, 4/8 = 0.5, 6/12 = 0.5 -> 0.5; boot 2/8 = 0.25, 3/6 = 0.5, 5/10 = 0.5 -> 0.5.
        BenchResults results = Runs.results(List.of(
                Runs.of(Tool.VIRTUNIT, 2, 1, 1, 8, 0.5, 0.5), Runs.of(Tool.BASELINE, 2, 1, 1, 8, 0.5, 0.5),
                Runs.of(Tool.RESTORED, 2, 1, 0.5, 2, 0.25, 0.25),
                Runs.of(Tool.VIRTUNIT, 2, 2, 1, 6, 0.5, 0.5), Runs.of(Tool.BASELINE, 2, 2, 1, 5, 0.5, 0.5),
                Runs.of(Tool.RESTORED, 2, 2, 0.5, 3, 0.25, 0.25),
                Runs.of(Tool.VIRTUNIT, 2, 3, 1, 10, 0.5, 0.5), Runs.of(Tool.BASELINE, 2, 3, 1, 10, 0.5, 0.5),
                Runs.of(Tool.RESTORED, 2, 3, 0.5, 5, 0.25, 0.25)));

        assertThat(results.restoredRatio(2, Optional.empty()).getAsDouble()).isCloseTo(0.5, within());
        assertThat(results.restoredRatio(2, Optional.of(Phase.BOOT)).getAsDouble()).isCloseTo(0.5, within());
        assertThat(results.toFirstAssertion(Tool.RESTORED, 2)).isEqualTo(new Spread(3.75, 2.75, 5.75, 3));
        // The closing line: virtunit cold over the baseline only (pairs 10/10, 8/7, 12/12: median 1.00), never restored.
        assertThat(results.ratioLine()).isEqualTo("virtunit/baseline ratio: 1.00");
        assertThat(results.measured(Tool.RESTORED)).isTrue();
    }

    @Test
    void withoutAColdRunOfTheSameNumberThereIsNoRestoredRatio() {
        BenchResults results = Runs.results(List.of(Runs.total(Tool.RESTORED, 1, 1, 3),
                Runs.total(Tool.VIRTUNIT, 1, 2, 6)));

        assertThat(results.restoredRatio(1, Optional.empty())).isEqualTo(OptionalDouble.empty());
        assertThat(Runs.results(List.of(Runs.total(Tool.VIRTUNIT, 1, 1, 6))).measured(Tool.RESTORED)).isFalse();
    }

    @Test
    void restoredGuestsGetTheirOwnColumnsRowsAndMemoryWhenMeasured() {
        BenchResults results = Runs.results(List.of(
                Runs.of(Tool.VIRTUNIT, 1, 1, 0.2, 5.0, 0.1, 1.0), Runs.of(Tool.BASELINE, 1, 1, 0.1, 5.0, 0.1, 1.0),
                Runs.of(Tool.RESTORED, 1, 1, 0.2, 1.5, 0.1, 0.5)));

        String markdown = results.markdown();

        assertThat(markdown)
                .contains("`virtunit.restore=on`")
                .contains("saved once before the measured runs (not counted)")
                .contains("| N | phase | virtunit s | baseline s | virtunit/baseline | virtunit restored s | restored/cold |\n"
                        + "|---:|---|---:|---:|---:|---:|---:|\n")
                .contains("| 1 | boot to SSH | 5.00 (5.00-5.00) | 5.00 (5.00-5.00) | 1.00 | 1.50 (1.50-1.50) | 0.30 |")
                .contains("| 1 | **total** | 6.30 (6.30-6.30) | 6.20 (6.20-6.20) | 1.02 | 2.30 (2.30-2.30) | 0.37 |")
                .contains("## Restored against cold")
                .contains("| 1 | 5.30 (5.30-5.30) | 1.80 (1.80-1.80) | 0.34 |")
                .contains("| virtunit restored | 300 (300-300) | 200 (200-200) | 50 (50-50) | 81 |");
        assertThat(markdown.lines().toList()).last().isEqualTo("virtunit/baseline ratio: 1.02");
        assertThat(results.csv().lines().toList()).contains(
                "1,boot,5.00,5.00,5.00,5.00,5.00,5.00,1.00,1.50,1.50,1.50,0.30");
        assertThat(results.runsCsv().lines().toList()).contains(
                "restored,1,1,0.20,1.50,0.10,0.50,2.30,307200");
    }

    @Test
    void withoutRestoredGuestsTheTableKeepsItsColdColumnsOnly() {
        String markdown = Runs.results(List.of(Runs.total(Tool.VIRTUNIT, 1, 1, 6), Runs.total(Tool.BASELINE, 1, 1, 6)))
                .markdown();

        assertThat(markdown).contains("| N | phase | virtunit s | baseline s | virtunit/baseline |\n|---:|---|---:|---:|---:|\n")
                .doesNotContain("restored");
    }

    @Test
    void theRunsCsvHasEveryRunWithItsGuestsMemory() {
        BenchResults results = Runs.results(List.of(Runs.of(Tool.BASELINE, 2, 3, 0.5, 5.0, 0.5, 0.5)));

        assertThat(results.runsCsv().lines().toList()).containsExactly(
                "tool,n,run,provision_s,boot_s,ping_s,teardown_s,total_s,qemu_rss_kib",
                "baseline,2,3,0.50,5.00,0.50,0.50,6.50,307200 307200");
    }

    @Test
    void guestsIn24GiBTakeTheJvmOffForVirtunitOnly() {
        BenchResults results = Runs.results(List.of(Runs.total(Tool.VIRTUNIT, 1, 1, 1),
                Runs.total(Tool.BASELINE, 1, 1, 1)));

        // 24 GiB = 24576 MiB; 300 MiB a guest: 81 (81.92); less a 200 MiB JVM: 24376 / 300 = 81.25 -> 81.
        assertThat(results.guestsIn24GiB(Tool.BASELINE).getAsDouble()).isEqualTo(81);
        assertThat(results.guestsIn24GiB(Tool.VIRTUNIT).getAsDouble()).isEqualTo(81);
        BenchResults heavyJvm = new BenchResults(List.of(Runs.total(Tool.VIRTUNIT, 1, 1, 1)),
                List.of(new JvmSample(600L * 1024, 1)), List.of(), List.of(), "ctx");
        assertThat(heavyJvm.guestsIn24GiB(Tool.VIRTUNIT).getAsDouble()).isEqualTo(79);
    }

    @Test
    void aRunWithoutEveryPhaseIsRefused() {
        EnumMap<Phase, Double> seconds = new EnumMap<>(Phase.class);
        seconds.put(Phase.PROVISION, 1.0);

        assertThatThrownBy(() -> new TopologyRun(Tool.VIRTUNIT, 1, 1, seconds, List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("virtunit run 1 at N=1 has no time for phase boot; every phase must be measured");
    }

    private static org.assertj.core.data.Offset<Double> within() {
        return org.assertj.core.data.Offset.offset(1e-9);
    }
}
