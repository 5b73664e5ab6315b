package dev.virtunit.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the plain script ({@code bench/baseline/topology.sh N IMAGE}) and reads what it measured from its output: one
 * {@code bench phase=NAME seconds=S} line per phase and one {@code bench rss guest=NAME kib=K} line per guest. Its
 * output and errors are read together (a test runner's fork may not pass a child's stderr on), echoed, and given in
 * full when it fails.
 *
 * @since 0.3
 */
public final class BaselineTopology {

    /** A run of 16 guests takes about a minute; one that is not over in this time hangs. */
    private static final long TIMEOUT_MINUTES = 15;

    private final Path script;
    private final Path image;

    /**
     * @param script the plain script
     * @param image  the tiny image its guests boot
     */
    public BaselineTopology(Path script, Path image) {
        this.script = script;
        this.image = image;
    }

    /**
     * Builds and removes the topology once with the script.
     *
     * @param n   how many guests
     * @param run the run's number at this N
     * @return its figures
     * @throws IllegalStateException when the script fails, hangs or does not report every phase
     */
    public TopologyRun run(int n, int run) {
        List<String> argv = List.of("bash", script.toString(), Integer.toString(n), image.toString());
        List<String> lines = new ArrayList<>();
        try {
            Process process = new ProcessBuilder(argv).redirectErrorStream(true).start();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    lines.add(line);
                    System.out.println("  [baseline] " + line);
                }
            }
            if (!process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                // Its trap removes what it made when it gets TERM.
                process.destroy();
                throw new IllegalStateException(String.join(" ", argv) + " did not finish in " + TIMEOUT_MINUTES
                        + " minutes; look for what it left with scripts/check-leftovers");
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", argv) + " failed with exit code "
                        + process.exitValue() + "; output and errors:\n" + String.join("\n", lines));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", argv), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + String.join(" ", argv), e);
        }
        return parse(n, run, lines);
    }

    /**
     * The figures in the script's output.
     *
     * @param n     how many guests it made
     * @param run   the run's number
     * @param lines its output
     * @return the run, with every phase's seconds and one memory figure per guest
     * @throws IllegalStateException naming what is missing or malformed
     */
    static TopologyRun parse(int n, int run, List<String> lines) {
        Map<Phase, Double> seconds = new EnumMap<>(Phase.class);
        List<Long> rss = new ArrayList<>();
        for (String line : lines) {
            if (!line.startsWith("bench ")) {
                continue;
            }
            Map<String, String> fields = fields(line);
            try {
                if (fields.containsKey("phase")) {
                    seconds.put(Phase.ofKey(fields.get("phase")), Double.parseDouble(required(fields, "seconds", line)));
                } else if (fields.containsKey("rss")) {
                    rss.add(Long.parseLong(required(fields, "kib", line)));
                } else {
                    throw new IllegalStateException("the baseline printed a bench line of no known kind: '" + line
                            + "'; expected 'bench phase=NAME seconds=S' or 'bench rss guest=NAME kib=K'");
                }
            } catch (NumberFormatException e) {
                throw new IllegalStateException("the baseline printed a figure that is no number: '" + line + "'", e);
            }
        }
        if (rss.size() != n) {
            throw new IllegalStateException("the baseline reported the memory of " + rss.size() + " guests, not of the "
                    + n + " it was asked for; output:\n" + String.join("\n", lines));
        }
        try {
            return new TopologyRun(Tool.BASELINE, n, run, seconds, rss);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(e.getMessage() + "; output:\n" + String.join("\n", lines), e);
        }
    }

    private static Map<String, String> fields(String line) {
        Map<String, String> fields = new HashMap<>();
        for (String word : line.substring("bench ".length()).strip().split("\\s+")) {
            int equals = word.indexOf('=');
            fields.put(equals < 0 ? word : word.substring(0, equals), equals < 0 ? "" : word.substring(equals + 1));
        }
        return fields;
    }

    private static String required(Map<String, String> fields, String key, String line) {
        String value = fields.get(key);
        if (value == null || value.isEmpty()) {
            throw new IllegalStateException("the baseline's line '" + line + "' has no " + key + "=");
        }
        return value;
    }
}
