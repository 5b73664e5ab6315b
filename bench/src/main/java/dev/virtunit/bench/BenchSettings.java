package dev.virtunit.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.Properties;

/**
 * What to measure, from system properties: {@code bench.n} (guest counts, e.g. {@code 1,2,4,8,16}), {@code bench.runs}
 * (runs per tool and N, each virtunit run paired with a baseline run), {@code bench.parallel.runs} (runs of the JUnit
 * classes in each mode, 0 to skip them), {@code bench.modes} ({@code cold}: virtunit booting its guests against the
 * plain script; {@code restored}: virtunit restoring them from a saved template; both by default),
 * {@code virtunit.testImage} (the tiny image), {@code bench.baseline} (the plain script) and {@code bench.out} (where
 * the results go).
 *
 * @param ns             the guest counts, in the order given
 * @param runs           runs per tool and N
 * @param parallelRuns   runs of the JUnit classes per mode
 * @param tools          who builds the topology at each N, in the order of a run's first group: the baseline and
 *                       virtunit for {@code cold}, virtunit restored for {@code restored}
 * @param image          the tiny image every guest boots
 * @param baselineScript the plain script ({@code bench/baseline/topology.sh})
 * @param outDir         where {@code bench-results.md}, {@code .csv} and {@code .png} go
 * @since 0.3
 */
public record BenchSettings(List<Integer> ns, int runs, int parallelRuns, List<Tool> tools, Path image,
                            Path baselineScript, Path outDir) {

    /** Copies the lists. */
    public BenchSettings {
        ns = List.copyOf(ns);
        tools = List.copyOf(tools);
    }

    /** The largest topology the benchmark takes: 2 cores boot 16 tiny guests in about a minute. */
    static final int MAX_N = 64;

    /**
     * Reads the settings from {@code properties}.
     *
     * @param properties usually {@link System#getProperties()}
     * @return the settings
     * @throws IllegalArgumentException naming the property, the rule and the remedy
     */
    public static BenchSettings from(Properties properties) {
        List<Integer> ns = guestCounts(properties.getProperty("bench.n", "1,2,4,8,16"));
        int runs = number(properties, "bench.runs", "5", 1);
        int parallelRuns = number(properties, "bench.parallel.runs", "3", 0);
        List<Tool> tools = tools(properties.getProperty("bench.modes", "cold,restored"));
        String image = properties.getProperty("virtunit.testImage");
        if (image == null || image.isBlank()) {
            throw new IllegalArgumentException("virtunit.testImage is not set: give the tiny image "
                    + "(-Dvirtunit.testImage=/var/cache/virtunit/images/tiny.qcow2, built by scripts/build-test-image)");
        }
        return new BenchSettings(ns, runs, parallelRuns, tools, Path.of(image),
                Path.of(properties.getProperty("bench.baseline", "baseline/topology.sh")),
                Path.of(properties.getProperty("bench.out", "target")));
    }

    static List<Integer> guestCounts(String value) {
        List<Integer> ns = new ArrayList<>();
        for (String part : value.split(",")) {
            String n = part.strip();
            if (!n.matches("[0-9]{1,3}") || Integer.parseInt(n) < 1 || Integer.parseInt(n) > MAX_N) {
                throw new IllegalArgumentException("bench.n=" + value + ": '" + n + "' is not a guest count from 1 to "
                        + MAX_N + "; give counts separated by commas, e.g. -Dbench.n=1,2,4");
            }
            if (ns.contains(Integer.parseInt(n))) {
                throw new IllegalArgumentException("bench.n=" + value + " names " + n + " twice; give each count once");
            }
            ns.add(Integer.parseInt(n));
        }
        return List.copyOf(ns);
    }

    /** {@code cold} and/or {@code restored}: the tools each stands for, the baseline first, restored last. */
    static List<Tool> tools(String value) {
        Set<Tool> tools = EnumSet.noneOf(Tool.class);
        for (String part : value.split(",")) {
            switch (part.strip()) {
                case "cold" -> tools.addAll(List.of(Tool.BASELINE, Tool.VIRTUNIT));
                case "restored" -> tools.add(Tool.RESTORED);
                default -> throw new IllegalArgumentException("bench.modes=" + value + ": '" + part.strip() + "' is "
                        + "neither cold (virtunit booting its guests, against the plain script) nor restored (virtunit "
                        + "restoring them from a saved template); e.g. -Dbench.modes=cold,restored");
            }
        }
        return List.of(Tool.BASELINE, Tool.VIRTUNIT, Tool.RESTORED).stream().filter(tools::contains).toList();
    }

    /**
     * {@return whether virtunit's restored guests are measured}
     *
     * @since 0.4
     */
    public boolean restored() {
        return tools.contains(Tool.RESTORED);
    }

    private static int number(Properties properties, String key, String fallback, int least) {
        String value = properties.getProperty(key, fallback).strip();
        if (!value.matches("[0-9]{1,4}") || Integer.parseInt(value) < least) {
            throw new IllegalArgumentException(key + "=" + value + " is not a whole number of at least " + least
                    + "; e.g. -D" + key + "=" + fallback);
        }
        return Integer.parseInt(value);
    }

    /** {@return one line for the results: what was measured} */
    public String describe() {
        return "N=" + String.join(",", ns.stream().map(String::valueOf).toList()) + ", " + runs + " runs per tool and N, "
                + String.join(", ", tools.stream().map(Tool::label).toList()) + ", "
                + "JUnit classes " + parallelRuns + " runs per mode, image " + image;
    }
}
