package dev.virtunit.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;

/**
 * Every figure of a benchmark, and its summaries: per N and phase the median, minimum and maximum of each tool, and
 * the median of the virtunit/baseline ratios taken pair by pair (the two runs with the same number ran back to back,
 * so a pair shares the host's mood), likewise restored/cold (virtunit's restored guests over its cold boots) when
 * restored guests were measured; memory per guest and of the JVM; the JUnit classes' wall times. Renders them as
 * Markdown (also what is printed), CSV, and the one closing line {@code virtunit/baseline ratio: X}, which is about
 * cold boots only.
 *
 * @since 0.3
 */
public final class BenchResults {

    /** The memory a machine of the project's kind has: the question is how many tiny guests it holds. */
    static final long MACHINE_KIB = 24L * 1024 * 1024;

    private final List<TopologyRun> runs;
    private final List<JvmSample> jvm;
    private final List<ParallelClassesRun> classes;
    private final List<String> failedAttempts;
    private final String context;

    /**
     * @param runs    every topology run of both tools
     * @param jvm     the JVM's figures, one per virtunit run
     * @param classes the JUnit classes' runs (may be empty)
     * @param failedAttempts one line per attempt that failed and was measured again (may be empty)
     * @param context one line saying where and how it was measured (host, date, settings)
     */
    public BenchResults(List<TopologyRun> runs, List<JvmSample> jvm, List<ParallelClassesRun> classes,
                        List<String> failedAttempts, String context) {
        this.runs = List.copyOf(runs);
        this.jvm = List.copyOf(jvm);
        this.classes = List.copyOf(classes);
        this.failedAttempts = List.copyOf(failedAttempts);
        this.context = context;
    }

    /** {@return every N measured, smallest first} */
    public List<Integer> ns() {
        return List.copyOf(new TreeSet<>(runs.stream().map(TopologyRun::n).toList()));
    }

    /** {@return {@code tool}'s spread at {@code n} of {@code phase}, or of the total when {@code phase} is empty} */
    public Spread spread(Tool tool, int n, Optional<Phase> phase) {
        return Spread.of(runsOf(tool, n).stream().map(run -> seconds(run, phase)).toList());
    }

    /**
     * The median over pairs (same N, same run number) of virtunit's seconds over the baseline's.
     *
     * @return the median ratio, or empty when no pair has both runs or the baseline took no time
     */
    public OptionalDouble medianRatio(int n, Optional<Phase> phase) {
        return medianRatio(Tool.VIRTUNIT, Tool.BASELINE, n, run -> seconds(run, phase));
    }

    /**
     * The median over pairs (same N, same run number) of virtunit's restored seconds over its cold ones.
     *
     * @return the median ratio, or empty when no pair has both runs or the cold run took no time
     * @since 0.4
     */
    public OptionalDouble restoredRatio(int n, Optional<Phase> phase) {
        return medianRatio(Tool.RESTORED, Tool.VIRTUNIT, n, run -> seconds(run, phase));
    }

    /**
     * {@code tool}'s spread at {@code n} from nothing to the first NAT ping done (provision, boot and ping).
     *
     * @since 0.4
     */
    public Spread toFirstAssertion(Tool tool, int n) {
        return Spread.of(runsOf(tool, n).stream().map(TopologyRun::toFirstAssertion).toList());
    }

    /**
     * {@return whether any run of {@code tool} was measured}
     *
     * @since 0.4
     */
    public boolean measured(Tool tool) {
        return runs.stream().anyMatch(run -> run.tool() == tool);
    }

    private OptionalDouble medianRatio(Tool over, Tool under, int n, ToDoubleFunction<TopologyRun> figure) {
        List<Double> ratios = new ArrayList<>();
        for (TopologyRun top : runsOf(over, n)) {
            runsOf(under, n).stream().filter(bottom -> bottom.run() == top.run()).findFirst()
                    .filter(bottom -> figure.applyAsDouble(bottom) > 0)
                    .ifPresent(bottom -> ratios.add(figure.applyAsDouble(top) / figure.applyAsDouble(bottom)));
        }
        return ratios.isEmpty() ? OptionalDouble.empty() : OptionalDouble.of(Spread.of(ratios).median());
    }

    /** {@return the worst (largest) median total ratio over all N: the figure the closing line gives} */
    public OptionalDouble worstRatio() {
        return ns().stream().map(n -> medianRatio(n, Optional.empty())).filter(OptionalDouble::isPresent)
                .mapToDouble(OptionalDouble::getAsDouble).max();
    }

    /** {@return {@code virtunit/baseline ratio: X}, X with two decimals ({@code n/a} without a single pair)} */
    public String ratioLine() {
        OptionalDouble worst = worstRatio();
        return "virtunit/baseline ratio: " + (worst.isPresent() ? format(worst.getAsDouble()) : "n/a");
    }

    /** {@return the median qemu resident memory per guest of {@code tool}, in KiB, over every guest of every run} */
    public Optional<Spread> qemuRssKib(Tool tool) {
        List<Double> all = runs.stream().filter(run -> run.tool() == tool).flatMap(run -> run.qemuRssKib().stream())
                .map(Long::doubleValue).toList();
        return all.isEmpty() ? Optional.empty() : Optional.of(Spread.of(all));
    }

    /**
     * How many tiny guests a 24 GiB machine holds by {@code tool}'s median qemu memory, the JVM's median resident
     * memory taken off first for virtunit. Host daemons and the page cache are left out: an upper bound.
     *
     * @return the count, or empty when no guest's memory was read
     */
    public OptionalDouble guestsIn24GiB(Tool tool) {
        Optional<Spread> perGuest = qemuRssKib(tool);
        if (perGuest.isEmpty() || perGuest.get().median() <= 0) {
            return OptionalDouble.empty();
        }
        double jvmKib = tool != Tool.BASELINE && !jvm.isEmpty() ? jvmSpread(JvmSample::rssKib).median() : 0;
        return OptionalDouble.of(Math.floor((MACHINE_KIB - jvmKib) / perGuest.get().median()));
    }

    /** {@return the JUnit classes' wall times in {@code parallel} mode or one after another, if measured} */
    public Optional<Spread> classesSeconds(boolean parallel) {
        List<Double> seconds = classes.stream().filter(run -> run.parallel() == parallel)
                .map(ParallelClassesRun::seconds).toList();
        return seconds.isEmpty() ? Optional.empty() : Optional.of(Spread.of(seconds));
    }

    /** {@return the table as Markdown, ending with the {@link #ratioLine()}; also what is printed} */
    public String markdown() {
        StringBuilder md = new StringBuilder("# virtunit topology benchmark\n\n");
        md.append(context).append("\n\n");
        md.append("Upstream namespace + OVS bridge with NAT + N tiny guests, each phase in seconds: median (min-max) of ")
                .append(runsPerPoint()).append(" runs per point. The ratio is the median over run pairs of "
                        + "virtunit/baseline; the two runs of a pair ran back to back, first one tool, then the other, "
                        + "alternating.\n\n");
        boolean restored = measured(Tool.RESTORED);
        if (restored) {
            md.append("*virtunit restored*: the same topology with `virtunit.restore=on`, every guest restored from "
                    + "the template of its shape, saved once before the measured runs (not counted); restored/cold is "
                    + "the median over runs of the same number of the restored seconds over virtunit's cold ones. "
                    + "The closing ratio line is about cold boots only.\n\n");
        }
        md.append("| N | phase | virtunit s | baseline s | virtunit/baseline |")
                .append(restored ? " virtunit restored s | restored/cold |" : "")
                .append("\n|---:|---|---:|---:|---:|").append(restored ? "---:|---:|" : "").append('\n');
        for (int n : ns()) {
            for (Optional<Phase> phase : phasesAndTotal()) {
                md.append("| ").append(n).append(" | ").append(phase.map(Phase::label).orElse("**total**"))
                        .append(" | ").append(cell(Tool.VIRTUNIT, n, phase)).append(" | ").append(cell(Tool.BASELINE, n, phase))
                        .append(" | ").append(ratioCell(medianRatio(n, phase))).append(" |");
                if (restored) {
                    md.append(' ').append(cell(Tool.RESTORED, n, phase)).append(" | ")
                            .append(ratioCell(restoredRatio(n, phase))).append(" |");
                }
                md.append('\n');
            }
        }
        if (restored) {
            md.append("\n## Restored against cold\n\nFrom nothing to every guest's first NAT ping done (provision, "
                    + "boot to SSH and the pings; no teardown), seconds.\n\n");
            md.append("| N | virtunit cold s | virtunit restored s | restored/cold |\n|---:|---:|---:|---:|\n");
            for (int n : ns()) {
                md.append("| ").append(n).append(" | ").append(firstAssertionCell(Tool.VIRTUNIT, n)).append(" | ")
                        .append(firstAssertionCell(Tool.RESTORED, n)).append(" | ")
                        .append(ratioCell(medianRatio(Tool.RESTORED, Tool.VIRTUNIT, n, TopologyRun::toFirstAssertion)))
                        .append(" |\n");
            }
        }
        md.append("\n## Memory\n\nqemu's VmRSS per guest once it answered SSH, over every guest of every run; the JVM's "
                + "VmRSS and heap in use while the guests were up. Guests in 24 GiB: 24 GiB less the JVM, over the "
                + "median per guest (host daemons left out).\n\n");
        md.append("| tool | qemu RSS per guest MiB | JVM RSS MiB | JVM heap used MiB | tiny guests in 24 GiB |\n"
                + "|---|---:|---:|---:|---:|\n");
        for (Tool tool : Tool.values()) {
            if (tool == Tool.RESTORED && !restored) {
                continue;
            }
            boolean ours = tool != Tool.BASELINE && !jvm.isEmpty();
            md.append("| ").append(tool.label()).append(" | ").append(qemuRssKib(tool).map(BenchResults::mib).orElse("n/a"))
                    .append(" | ").append(ours ? mib(jvmSpread(JvmSample::rssKib)) : "-")
                    .append(" | ").append(ours ? mib(jvmSpread(JvmSample::heapUsedKib)) : "-")
                    .append(" | ").append(count(guestsIn24GiB(tool))).append(" |\n");
        }
        if (!classes.isEmpty()) {
            md.append("\n## JUnit classes\n\nFour classes, each an upstream + OVS bridge with NAT + 2 guests and one "
                    + "ping test, run through the JUnit Platform Launcher; wall time in seconds.\n\n");
            md.append("| mode | wall s |\n|---|---:|\n");
            for (boolean parallel : List.of(true, false)) {
                classesSeconds(parallel).ifPresent(spread -> md.append("| ")
                        .append(new ParallelClassesRun(parallel, 0, 0).mode()).append(" | ").append(seconds(spread))
                        .append(" |\n"));
            }
        }
        if (!failedAttempts.isEmpty()) {
            md.append("\n## Failed attempts, measured again\n\n");
            failedAttempts.forEach(note -> md.append("- ").append(note).append('\n'));
        }
        md.append('\n').append(ratioLine()).append('\n');
        return md.toString();
    }

    /**
     * {@return one row per N and phase (and the total): each tool's median, min and max seconds and the median pair
     * ratio; then virtunit restored's and the median restored/cold ratio (empty when restored guests were not
     * measured)}
     */
    public String csv() {
        StringBuilder csv = new StringBuilder("n,phase,virtunit_median_s,virtunit_min_s,virtunit_max_s,"
                + "baseline_median_s,baseline_min_s,baseline_max_s,ratio_median,"
                + "restored_median_s,restored_min_s,restored_max_s,restored_cold_ratio\n");
        for (int n : ns()) {
            for (Optional<Phase> phase : phasesAndTotal()) {
                csv.append(n).append(',').append(phase.map(Phase::key).orElse("total"));
                csvSpread(csv, Tool.VIRTUNIT, n, phase);
                csvSpread(csv, Tool.BASELINE, n, phase);
                csvRatio(csv, medianRatio(n, phase));
                csvSpread(csv, Tool.RESTORED, n, phase);
                csvRatio(csv, restoredRatio(n, phase));
                csv.append('\n');
            }
        }
        return csv.toString();
    }

    private void csvSpread(StringBuilder csv, Tool tool, int n, Optional<Phase> phase) {
        if (runsOf(tool, n).isEmpty()) {
            csv.append(",,,");
        } else {
            Spread spread = spread(tool, n, phase);
            csv.append(',').append(format(spread.median())).append(',').append(format(spread.min()))
                    .append(',').append(format(spread.max()));
        }
    }

    private static void csvRatio(StringBuilder csv, OptionalDouble ratio) {
        csv.append(',').append(ratio.isPresent() ? format(ratio.getAsDouble()) : "");
    }

    /** {@return every run as it was measured: tool, N, run, each phase's seconds, the total and each guest's qemu RSS} */
    public String runsCsv() {
        StringBuilder csv = new StringBuilder("tool,n,run");
        for (Phase phase : Phase.values()) {
            csv.append(',').append(phase.key()).append("_s");
        }
        csv.append(",total_s,qemu_rss_kib\n");
        for (TopologyRun run : runs) {
            csv.append(run.tool().key()).append(',').append(run.n()).append(',').append(run.run());
            for (Phase phase : Phase.values()) {
                csv.append(',').append(format(run.secondsOf(phase)));
            }
            csv.append(',').append(format(run.total())).append(',')
                    .append(String.join(" ", run.qemuRssKib().stream().map(String::valueOf).toList())).append('\n');
        }
        return csv.toString();
    }

    List<TopologyRun> runsOf(Tool tool, int n) {
        return runs.stream().filter(run -> run.tool() == tool && run.n() == n).toList();
    }

    private int runsPerPoint() {
        return runs.stream().mapToInt(TopologyRun::run).max().orElse(0);
    }

    private Spread jvmSpread(ToDoubleFunction<JvmSample> figure) {
        return Spread.of(jvm.stream().map(sample -> figure.applyAsDouble(sample)).toList());
    }

    private String cell(Tool tool, int n, Optional<Phase> phase) {
        return runsOf(tool, n).isEmpty() ? "n/a" : seconds(spread(tool, n, phase));
    }

    private String firstAssertionCell(Tool tool, int n) {
        return runsOf(tool, n).isEmpty() ? "n/a" : seconds(toFirstAssertion(tool, n));
    }

    static List<Optional<Phase>> phasesAndTotal() {
        List<Optional<Phase>> all = new ArrayList<>();
        for (Phase phase : Phase.values()) {
            all.add(Optional.of(phase));
        }
        all.add(Optional.empty());
        return all;
    }

    private static double seconds(TopologyRun run, Optional<Phase> phase) {
        return phase.map(run::secondsOf).orElseGet(run::total);
    }

    private static String seconds(Spread spread) {
        return format(spread.median()) + " (" + format(spread.min()) + "-" + format(spread.max()) + ")";
    }

    private static String mib(Spread kib) {
        return String.format(Locale.ROOT, "%.0f (%.0f-%.0f)", kib.median() / 1024, kib.min() / 1024, kib.max() / 1024);
    }

    private static String ratioCell(OptionalDouble ratio) {
        return ratio.isPresent() ? format(ratio.getAsDouble()) : "n/a";
    }

    private static String count(OptionalDouble value) {
        return value.isPresent() ? String.format(Locale.ROOT, "%.0f", value.getAsDouble()) : "n/a";
    }

    static String format(double value) {
        return String.format(Locale.ROOT, "%.2f", value);
    }
}
