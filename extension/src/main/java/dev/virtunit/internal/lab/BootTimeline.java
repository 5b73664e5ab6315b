package dev.virtunit.internal.lab;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * The phases of one boot of a guest and how long each took, from the moment the timeline began (the guest's
 * provisioning, or a restart) to ready: what the one INFO line per boot says, e.g.
 * {@code guest vu-1a2b3c-router ready in 7.6 s: defined 0.2 s, started 0.1 s, domain running 0.0 s, ...}.
 * Each phase lasts from the end of the one before, so the phases add up to the total.
 */
final class BootTimeline {

    /** A wait shorter than this is no wait at all and would only lengthen the line. */
    private static final Duration NOTICEABLE = Duration.ofMillis(50);

    private record Phase(String name, long nanos, String note) {
    }

    private final String guest;
    private final LongSupplier nanoTime;
    private final long began;
    private long lastMark;
    private final List<Phase> phases = new ArrayList<>();

    /** @param nanoTime a monotonic clock in nanoseconds ({@link System#nanoTime()}; a fake one in tests) */
    BootTimeline(String guest, LongSupplier nanoTime) {
        this.guest = guest;
        this.nanoTime = nanoTime;
        this.began = nanoTime.getAsLong();
        this.lastMark = began;
    }

    /** A timeline of {@code guest} beginning now. */
    static BootTimeline startingNow(String guest) {
        return new BootTimeline(guest, System::nanoTime);
    }

    /** Ends phase {@code name} now: it lasted since the previous phase ended (or the timeline began). */
    synchronized void phase(String name) {
        long now = nanoTime.getAsLong();
        phases.add(new Phase(name, now - lastMark, ""));
        lastMark = now;
    }

    /** As {@link #phase}, but left out of the line when it took no noticeable time (a boot slot free at once). */
    synchronized void phaseIfNoticeable(String name) {
        long now = nanoTime.getAsLong();
        if (now - lastMark >= NOTICEABLE.toNanos()) {
            phases.add(new Phase(name, now - lastMark, ""));
        }
        lastMark = now;
    }

    /** Adds a remark to the last phase, such as why it was quick ({@code the image has no cloud-init}). */
    synchronized void noteOnLastPhase(String note) {
        if (!phases.isEmpty()) {
            Phase last = phases.remove(phases.size() - 1);
            phases.add(new Phase(last.name(), last.nanos(), note));
        }
    }

    /** From the beginning until now. */
    synchronized Duration elapsed() {
        return Duration.ofNanos(nanoTime.getAsLong() - began);
    }

    /** {@code guest NAME ready in T: phase t, phase t (note), ...}, the total up to now. */
    synchronized String readyLine() {
        List<String> parts = new ArrayList<>();
        for (Phase phase : phases) {
            parts.add(phase.name() + " " + seconds(phase.nanos()) + (phase.note().isEmpty() ? "" : " (" + phase.note() + ")"));
        }
        return "guest " + guest + " ready in " + seconds(nanoTime.getAsLong() - began)
                + (parts.isEmpty() ? "" : ": " + String.join(", ", parts));
    }

    /** Tenths of a second, with a point whatever the locale: log lines are read and grepped alike everywhere. */
    static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
    }
}
