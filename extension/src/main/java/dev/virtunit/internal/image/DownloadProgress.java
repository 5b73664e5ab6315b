package dev.virtunit.internal.image;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * When a download says how far it got, and what it says: a line at every tenth of a known size (from 10 MB on) but
 * no more than one a second (a fast mirror's download is a closing line, not ten), and at least every
 * {@code interval} (a slow or unsized download still shows it is alive). Time is passed in, so tests need no clock.
 */
final class DownloadProgress {

    /** Below this size, lines at each tenth are noise: the download is over in a moment. */
    static final long TENTHS_FROM = 10_000_000;
    /** Tenths closer together than this would flood the log without telling anyone anything. */
    static final long MIN_GAP_NANOS = 1_000_000_000L;

    private final String what;
    private final OptionalLong total;
    private final long startNanos;
    private final long intervalNanos;
    private long lastLineNanos;
    private int lastTenth;

    /**
     * @param what       what is downloaded, at the start of each line (its URL)
     * @param total      its size in bytes, when the server said
     * @param startNanos when it started, on {@link System#nanoTime()}'s scale
     * @param interval   the longest time without a line
     */
    DownloadProgress(String what, OptionalLong total, long startNanos, Duration interval) {
        this.what = what;
        this.total = total;
        this.startNanos = startNanos;
        this.intervalNanos = interval.toNanos();
        this.lastLineNanos = startNanos;
    }

    /** The line to log once {@code bytes} have arrived at {@code nowNanos}, or empty when it is not time for one. */
    Optional<String> advance(long bytes, long nowNanos) {
        int tenth = total.isPresent() && total.getAsLong() >= TENTHS_FROM ? (int) Math.min(10, bytes * 10 / total.getAsLong()) : 0;
        boolean nextTenth = tenth > lastTenth && tenth < 10   // 100% is the closing line's
                && nowNanos - lastLineNanos >= MIN_GAP_NANOS;
        if (!nextTenth && nowNanos - lastLineNanos < intervalNanos) {
            return Optional.empty();
        }
        lastTenth = Math.max(lastTenth, tenth);
        lastLineNanos = nowNanos;
        String done = total.isPresent()
                ? percent(bytes) + " (" + size(bytes) + " of " + size(total.getAsLong()) + ", "
                : size(bytes) + " (";
        return Optional.of("downloading " + what + ": " + done + rate(bytes, nowNanos) + ")");
    }

    /** The closing line: size, time and mean rate. */
    String finished(long bytes, long nowNanos) {
        return String.format(Locale.ROOT, "downloaded %s: %s in %.1f s (%s)", what, size(bytes),
                (nowNanos - startNanos) / 1e9, rate(bytes, nowNanos));
    }

    private String percent(long bytes) {
        return (bytes * 100 / total.getAsLong()) + "%";
    }

    private String rate(long bytes, long nowNanos) {
        double seconds = Math.max(1e-3, (nowNanos - startNanos) / 1e9);
        return size((long) (bytes / seconds)) + "/s";
    }

    /** Bytes for a person: {@code 812 B}, {@code 12.3 KB}, {@code 466.0 MB}, {@code 1.2 GB} (powers of 1000). */
    static String size(long bytes) {
        if (bytes < 1000) {
            return bytes + " B";
        }
        String[] units = {"KB", "MB", "GB", "TB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1000 && unit < units.length - 1) {
            value /= 1000;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }
}
