package dev.virtunit.internal.lab;

import dev.virtunit.internal.host.ProcessOutput;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The folder of one failure report and its {@code index.md}: each item is written under a time bound of its own and
 * within the report's overall budget, on a daemon thread (a hung command or SSH login is abandoned, not waited for);
 * whatever goes wrong is written into the index instead of thrown, so the report never fails or hangs a test run.
 */
final class EvidenceFolder {

    private final Path dir;
    private final Instant deadline;
    private final List<String> written = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();

    EvidenceFolder(Path dir, Duration budget) {
        this.dir = dir;
        this.deadline = Instant.now().plus(budget);
    }

    Path dir() {
        return dir;
    }

    /** Writes {@code content} to {@code path} (relative), taking at most {@code limit}; whether it did. */
    boolean text(String path, String description, Duration limit, Callable<String> content) {
        return run(path, description, limit, () -> {
            String text = content.call();
            Path file = dir.resolve(path);
            Files.createDirectories(file.getParent());
            Files.writeString(file, text, StandardCharsets.UTF_8);
            return List.of(path);
        });
    }

    /** Copies {@code source} to {@code path}. */
    boolean copy(String path, String description, Path source) {
        return run(path, description, Duration.ofSeconds(10), () -> {
            Path file = dir.resolve(path);
            Files.createDirectories(file.getParent());
            Files.copy(source, file);
            return List.of(path);
        });
    }

    /** Runs a contributor that writes files of its own; each is listed under {@code description}. */
    boolean files(String label, String description, Duration limit, Callable<List<Path>> writer) {
        return run(label, description, limit, () -> writer.call().stream()
                .map(file -> dir.relativize(file.toAbsolutePath().normalize()).toString()).toList());
    }

    /** Notes an item that was not attempted, and why. */
    void skipped(String path, String why) {
        problems.add("`" + path + "`: skipped: " + why);
    }

    private boolean run(String path, String description, Duration limit, Callable<List<String>> item) {
        Duration left = Duration.between(Instant.now(), deadline);
        if (left.isNegative() || left.isZero()) {
            skipped(path, "the report's time budget was used up");
            return false;
        }
        Duration bound = limit.compareTo(left) < 0 ? limit : left;
        // On the daemon pool of output readers: a hung item is abandoned there, never waited for at exit.
        Future<List<String>> future = ProcessOutput.supply(() -> {
            try {
                return item.call();
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        });
        try {
            future.get(bound.toMillis(), TimeUnit.MILLISECONDS).forEach(file -> written.add("`" + file + "`: " + description));
            return true;
        } catch (TimeoutException e) {
            future.cancel(true);
            problems.add("`" + path + "`: not written: took longer than " + bound.toMillis() + " ms (" + description + ")");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            problems.add("`" + path + "`: not written: " + cause.getClass().getSimpleName() + ": "
                    + String.valueOf(cause.getMessage()).strip().replace("\n", " ") + " (" + description + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            future.cancel(true);
            problems.add("`" + path + "`: not written: interrupted");
        }
        return false;
    }

    /** Writes {@code index.md}: the heading lines, then what is where, then what could not be written and why. */
    Path writeIndex(List<String> heading) {
        StringBuilder index = new StringBuilder();
        heading.forEach(line -> index.append(line).append('\n'));
        index.append("\n## What is where\n\n");
        written.forEach(line -> index.append("- ").append(line).append('\n'));
        if (!problems.isEmpty()) {
            index.append("\n## Not written\n\n");
            problems.forEach(line -> index.append("- ").append(line).append('\n'));
        }
        Path file = dir.resolve("index.md");
        try {
            Files.createDirectories(dir);
            Files.writeString(file, index.toString(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        return file;
    }
}
