package dev.virtunit.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.virtunit.bench.workload.NatClasses;

/**
 * The whole benchmark: for every N, runs of virtunit and of the plain script interleaved (run 1 the baseline
 * first, run 2 virtunit first, and so on, so neither always finds a warm page cache), with virtunit's restored guests
 * in the same groups when measured (their template saved once before, not counted), then the JUnit classes
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
        VirtunitTopology restored = VirtunitTopology.restored(settings.image());
        BaselineTopology baseline = new BaselineTopology(settings.baselineScript(), settings.image());
        String templateNote = "";
        if (settings.restored()) {
            System.out.println("BENCH saving the restored guests' template (one guest, not counted)");
            templateNote = String.format(Locale.ROOT, " Restored guests: their template was saved (or found in the "
                    + "cache) by one run of N=1 before the measured runs, in %.1f s, not counted.", restored.saveTemplate());
            System.out.println("BENCH" + templateNote);
        }
        Map<Tool, Measurement> measurements = new EnumMap<>(Tool.class);
        measurements.put(Tool.BASELINE, baseline::run);
        measurements.put(Tool.VIRTUNIT, virtunit::run);
        measurements.put(Tool.RESTORED, restored::run);
        List<Measurement> group = settings.tools().stream().map(measurements::get).toList();
        List<TopologyRun> runs = new ArrayList<>();
        List<String> failedAttempts = new ArrayList<>();
        for (int n : settings.ns()) {
            for (int run = 1; run <= settings.runs(); run++) {
                runs.addAll(group(n, run, group, failedAttempts));
            }
        }
        List<JvmSample> jvm = new ArrayList<>(virtunit.jvmSamples());
        jvm.addAll(restored.jvmSamples());
        List<ParallelClassesRun> classes = new ArrayList<>();
        JUnitClasses junit = new JUnitClasses(NatClasses.all());
        for (int run = 1; run <= settings.parallelRuns(); run++) {
            boolean parallelFirst = run % 2 == 1;
            classes.add(junit.run(parallelFirst, run));
            classes.add(junit.run(!parallelFirst, run));
        }
        BenchResults results = new BenchResults(runs, jvm, classes, failedAttempts, context() + templateNote);
        write(results);
        return results;
    }

    /**
     * One run of each tool at {@code n}: in {@code tools}' order in odd runs, the reverse in even ones (with the
     * baseline and virtunit, the baseline first in odd runs). A group in which any fails (a guest's kernel that
     * panics at boot under a loaded TCG host, say) is noted and measured again, up to {@value #ATTEMPTS} times, so
     * one bad boot does not end a run of half an hour; the notes go into the results.
     */
    static List<TopologyRun> group(int n, int run, List<Measurement> tools, List<String> failedAttempts) {
        List<Measurement> order = new ArrayList<>(tools);
        if (run % 2 == 0) {
            Collections.reverse(order);
        }
        for (int attempt = 1; ; attempt++) {
            System.out.printf("BENCH N=%d run %d, attempt %d%n", n, run, attempt);
            try {
                List<TopologyRun> group = new ArrayList<>();
                for (Measurement tool : order) {
                    group.add(tool.run(n, run));
                }
                return group;
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
