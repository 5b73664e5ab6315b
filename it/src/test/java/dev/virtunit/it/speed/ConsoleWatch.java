package dev.virtunit.it.speed;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Diagnosis only: when (host time) each {@code virtunit-init} line appeared on the guests' serial consoles, read from
 * the run's pool folder every few milliseconds; beside the host's "ready" line it shows how late the host noticed
 * what the guest had done (network up, SSH listening).
 */
final class ConsoleWatch implements AutoCloseable {

    private final Path pool;
    private final long origin;
    private final Map<Path, Integer> linesSeen = new HashMap<>();
    private final List<String> seen = new ArrayList<>();
    /** Samples the consoles every few milliseconds: there is no condition to wait for, only lines to time. */
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "console-watch");
        thread.setDaemon(true);
        return thread;
    });

    ConsoleWatch(Path pool, long origin) {
        this.pool = pool;
        this.origin = origin;
        sampler.scheduleWithFixedDelay(this::sample, 0, 5, TimeUnit.MILLISECONDS);
    }

    private void sample() {
        try (Stream<Path> files = Files.list(pool)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith("-console.log")).toList()) {
                List<String> lines = Files.readString(file, StandardCharsets.ISO_8859_1).lines().toList();
                int from = linesSeen.getOrDefault(file, 0);
                // The last line may be half written: only whole lines before it count.
                for (int i = from; i < lines.size() - 1; i++) {
                    if (lines.get(i).contains("virtunit-init")) {
                        synchronized (seen) {
                            seen.add(String.format(Locale.ROOT, "    %6.0f ms  %s  %s", (System.nanoTime() - origin) / 1e6,
                                    file.getFileName().toString().replace("-console.log", ""), lines.get(i).strip()));
                        }
                    }
                }
                linesSeen.put(file, Math.max(from, lines.size() - 1));
            }
        } catch (IOException e) {
            // the pool or a console went away: the lab is closing
        }
    }

    String report() {
        synchronized (seen) {
            return String.join("\n", seen);
        }
    }

    @Override
    public void close() {
        sampler.shutdownNow();
    }
}
