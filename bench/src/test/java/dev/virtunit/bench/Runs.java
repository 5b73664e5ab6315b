package dev.virtunit.bench;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** Topology runs made up for the tests: each phase a given number of seconds. */
final class Runs {

    private Runs() {
    }

    /** A run whose provision, boot, ping and teardown took the given seconds, each guest's qemu 300 MiB. */
    static TopologyRun of(Tool tool, int n, int run, double provision, double boot, double ping, double teardown) {
        Map<Phase, Double> seconds = new EnumMap<>(Phase.class);
        seconds.put(Phase.PROVISION, provision);
        seconds.put(Phase.BOOT, boot);
        seconds.put(Phase.FIRST_ASSERTION, ping);
        seconds.put(Phase.TEARDOWN, teardown);
        return new TopologyRun(tool, n, run, seconds, java.util.Collections.nCopies(n, 300L * 1024));
    }

    /** A run that took {@code total} seconds, all of it booting. */
    static TopologyRun total(Tool tool, int n, int run, double total) {
        return of(tool, n, run, 0, total, 0, 0);
    }

    static BenchResults results(List<TopologyRun> runs) {
        return new BenchResults(runs, List.of(new JvmSample(200L * 1024, 50L * 1024)), List.of(), List.of(), "test context");
    }
}
