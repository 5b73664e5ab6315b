package dev.virtunit.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;

/**
 * Median, minimum and maximum of a set of measurements. The median rather than the mean: one run that met a busy
 * moment of the host should not move the figure.
 *
 * @param median the middle value (the mean of the two middle ones for an even count)
 * @param min    the smallest value
 * @param max    the largest value
 * @param count  how many values there were
 * @since 0.3
 */
public record Spread(double median, double min, double max, int count) {

    /**
     * The spread of {@code values}.
     *
     * @param values at least one measurement
     * @return their median, minimum and maximum
     * @throws IllegalArgumentException when there is none
     */
    public static Spread of(Collection<Double> values) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("no measurements to summarise: a point of the benchmark had no run");
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        double median = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
        return new Spread(median, sorted.get(0), sorted.get(n - 1), n);
    }
}
