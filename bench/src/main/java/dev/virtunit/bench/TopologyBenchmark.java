package dev.virtunit.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

import dev.virtunit.bench.workload.NatClasses;

/**
 * The whole benchmark: for every N, runs of virtunit and of the plain script interleaved (run 1 the baseline
 * first, run 2 virtunit first, and so on, so neither always finds a warm page cache), then the JUnit classes
 * concurrent and one after another (alternating likewise); at the end the table is printed and written with the
 * CSV files and the plot into {@code bench.out}. It prints figures and judges none: times belong in a report.
 *
 * @since 0.3
 */
public final class TopologyBenchmark {

    /** How often a pair of runs is tried before the benchmark gives up. */
    static final int ATTEMPTS = 3;

    private final BenchSettings settings;

    /** @param settings what to measure and where to write it */
    public TopologyBenchmark(BenchSettings settings) {
        this.settings = settings;
    }

    /**
     * Runs it all and writes the results.
     *
     * @return the results
     * @throws IOException when the results cannot be written
     */
    public BenchResults run() throws IOException {
        VirtunitTopology virtunit = new VirtunitTopology(settings.image());
        BaselineTopology baseline = new BaselineTopology(settings.baselineScript(), settings.image());
        List<TopologyRun> runs = new ArrayList<>();
        List<String> failedAttempts = new ArrayList<>();
        for (int n : settings.ns()) {
            for (int run = 1; run <= settings.runs(); run++) {
                runs.addAll(pair(n, run, virtunit::run, baseline::run, failedAttempts));
            }
        }
        List<ParallelClassesRun> classes = new ArrayList<>();
        JUnitClasses junit = new JUnitClasses(NatClasses.all());
        for (int run = 1; run <= settings.parallelRuns(); run++) {
            boolean parallelFirst = run % 2 == 1;
            classes.add(junit.run(parallelFirst, run));
            classes.add(junit.run(!parallelFirst, run));
        }
        BenchResults results = new BenchResults(runs, virtunit.jvmSamples(), classes, failedAttempts, context());
        write(results);
        return results;
    }

    /**
     * One run of each tool at {@code n}, the baseline first in odd runs. A pair in which either fails (a guest's
     * kernel that panics at boot under a loaded TCG host, say) is noted and measured again, up to
     * {@value #ATTEMPTS} times, so one bad boot does not end a run of half an hour; the notes go into the results.
     */
    static List<TopologyRun> pair(int n, int run, Measurement virtunit, Measurement baseline,
                                  List<String> failedAttempts) {
        for (int attempt = 1; ; attempt++) {
            System.out.printf("BENCH N=%d run %d, attempt %d%n", n, run, attempt);
            try {
                return run % 2 == 1 ? List.of(baseline.run(n, run), virtunit.run(n, run))
                        : List.of(virtunit.run(n, run), baseline.run(n, run));
            } catch (RuntimeException | AssertionError e) {
                String note = "N=" + n + " run " + run + " attempt " + attempt + ": " + firstLine(e);
                failedAttempts.add(note);
                System.out.println("BENCH failed: " + note);
                if (attempt == ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    /** One tool's way to build and remove the topology once. */
    interface Measurement {
        TopologyRun run(int n, int run);
    }

    private static String firstLine(Throwable e) {
        String message = String.valueOf(e.getMessage());
        int newline = message.indexOf('\n');
        return e.getClass().getSimpleName() + ": " + (newline < 0 ? message : message.substring(0, newline));
    }

    private String context() {
        return "Measured " + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")) + " on "
                + Runtime.getRuntime().availableProcessors() + " cores (software emulation); " + settings.describe()
                + ".";
    }

    private void write(BenchResults results) throws IOException {
        Path out = Files.createDirectories(settings.outDir());
        String markdown = results.markdown();
        Files.writeString(out.resolve("bench-results.md"), markdown);
        Files.writeString(out.resolve("bench-results.csv"), results.csv());
        Files.writeString(out.resolve("bench-runs.csv"), results.runsCsv());
        new TimePlot(results).writePng(out.resolve("bench-results.png"), 900, 560);
        System.out.println();
        System.out.print(markdown);
        System.out.println("(written to " + out.toAbsolutePath() + ": bench-results.md, bench-results.csv, "
                + "bench-runs.csv, bench-results.png)");
    }

    /**
     * Runs the benchmark with the settings from system properties ({@link BenchSettings#from}).
     *
     * @param args none
     * @throws IOException when the results cannot be written
     */
    public static void main(String[] args) throws IOException {
        new TopologyBenchmark(BenchSettings.from(System.getProperties())).run();
    }
}
