package dev.virtunit.internal.image;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * What a long image build says at INFO while it runs: not each line of the build's output (those go to DEBUG), but
 * at most one line per {@code interval} with the time so far and the build's latest line, and a closing line. Time is
 * passed in, so tests need no clock.
 */
final class ImageBuildProgress {

    private final String what;
    private final long startNanos;
    private final long intervalNanos;
    private long lastLineNanos;
    private String latest = "";

    /**
     * @param what       what is built, at the start of each line ({@code virtunit:tiny})
     * @param startNanos when it started, on {@link System#nanoTime()}'s scale
     * @param interval   the shortest time between two lines
     */
    ImageBuildProgress(String what, long startNanos, Duration interval) {
        this.what = what;
        this.startNanos = startNanos;
        this.intervalNanos = interval.toNanos();
        this.lastLineNanos = startNanos;
    }

    /** The line to log now that the build printed {@code output} at {@code nowNanos}, or empty when it is not time. */
    synchronized Optional<String> advance(String output, long nowNanos) {
        if (!output.isBlank()) {
            latest = output.strip();
        }
        if (nowNanos - lastLineNanos < intervalNanos || latest.isEmpty()) {
            return Optional.empty();
        }
        lastLineNanos = nowNanos;
        return Optional.of(String.format(Locale.ROOT, "building %s (%.0f s so far): %s", what,
                (nowNanos - startNanos) / 1e9, latest));
    }

    /** The closing line: how long it took. */
    synchronized String finished(long nowNanos) {
        return String.format(Locale.ROOT, "built %s in %.1f s", what, (nowNanos - startNanos) / 1e9);
    }
}
