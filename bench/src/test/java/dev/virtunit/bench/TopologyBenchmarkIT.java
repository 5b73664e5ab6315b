package dev.virtunit.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the benchmark (scripts/benchmark: {@code mvn -Pbench ... verify}). It asserts only that every N got its runs
 * from every tool measured (bench.modes), never a time: the figures are in bench/target/bench-results.md.
 */
class TopologyBenchmarkIT {

    @Test
    void topologiesAgainstThePlainScript() throws Exception {
        BenchSettings settings = BenchSettings.from(System.getProperties());
        BenchResults results = new TopologyBenchmark(settings).run();
        for (int n : settings.ns()) {
            for (Tool tool : settings.tools()) {
                assertThat(results.runsOf(tool, n)).as("%s runs at N=%d", tool.label(), n).hasSize(settings.runs());
            }
        }
    }
}
