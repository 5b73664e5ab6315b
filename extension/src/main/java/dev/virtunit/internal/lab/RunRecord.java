package dev.virtunit.internal.lab;

import java.nio.file.StandardCopyOption;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * A file per run, {@code <stateDir>/runs/<run>.run}, saying which process owns the run. Everything the run creates
 * carries the run id in its name, so a later run can tell what a dead one left behind ({@link #isAbandoned()})
 * and sweep it, and leave alone both live runs and runs whose resources were kept on purpose.
 *
 * @param run        the run id
 * @param pid        the owning JVM's process id
 * @param started    when the owning process started (guards against a reused pid)
 * @param bootId     the kernel's boot id at the time (a reboot kills every run)
 * @param keptUntil  until when the run's resources are kept on purpose (cleanup mode on-success after a failure, or
 *                   never); empty while the run is live or was not kept. After it, a later sweep removes them.
 * @param file       where the record lives
 */
public record RunRecord(String run, long pid, Instant started, String bootId, Optional<Instant> keptUntil, Path file) {

    private static final Path BOOT_ID = Path.of("/proc/sys/kernel/random/boot_id");

    /** Writes the record of the current process's run {@code run}. */
    public static RunRecord create(Path stateDir, String run) {
        ProcessHandle self = ProcessHandle.current();
        RunRecord record = new RunRecord(run, self.pid(), self.info().startInstant().orElse(Instant.EPOCH), currentBootId(),
                Optional.empty(), stateDir.resolve("runs").resolve(run + ".run"));
        record.write();
        return record;
    }

    /** Every record under {@code stateDir}; unreadable ones are skipped. */
    public static List<RunRecord> all(Path stateDir) {
        Path dir = stateDir.resolve("runs");
        List<RunRecord> records = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return records;
        }
        try (var files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".run")).toList()) {
                read(file).ifPresent(records::add);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list run records in " + dir, e);
        }
        return records;
    }

    static Optional<RunRecord> read(Path file) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file)) {
            properties.load(reader);
            String name = file.getFileName().toString();
            return Optional.of(new RunRecord(name.substring(0, name.length() - 4),
                    Long.parseLong(properties.getProperty("pid")),
                    Instant.parse(properties.getProperty("started")), properties.getProperty("bootId", ""),
                    Optional.ofNullable(properties.getProperty("keptUntil")).map(Instant::parse), file));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The same record marked as kept on purpose for {@code ttl} from now, written to disk. */
    public RunRecord markKept(Duration ttl) {
        RunRecord kept = new RunRecord(run, pid, started, bootId, Optional.of(Instant.now().plus(ttl)), file);
        kept.write();
        return kept;
    }

    /**
     * Whether what the run made may be swept: its owning process is gone (or the machine rebooted), and it was not
     * kept on purpose, or it was and its time to live is over.
     */
    public boolean isAbandoned() {
        if (keptUntil.isPresent()) {
            return Instant.now().isAfter(keptUntil.get());
        }
        if (!bootId.equals(currentBootId())) {
            return true;
        }
        return ProcessHandle.of(pid)
                .map(process -> process.info().startInstant().map(start -> !start.equals(started)).orElse(false))
                .orElse(true);
    }

    public void delete() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete run record " + file, e);
        }
    }

    /** Writes the record atomically (a temporary file moved over it), so a reader never sees half of one. */
    void write() {
        Properties properties = new Properties();
        properties.setProperty("pid", Long.toString(pid));
        properties.setProperty("started", started.toString());
        properties.setProperty("bootId", bootId);
        keptUntil.ifPresent(until -> properties.setProperty("keptUntil", until.toString()));
        try {
            Files.createDirectories(file.getParent());
            Path temp = file.resolveSibling(file.getFileName() + ".tmp");
            try (Writer writer = Files.newBufferedWriter(temp)) {
                properties.store(writer, "virtunit run " + run + "; removed when the run ends");
            }
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write run record " + file, e);
        }
    }

    private static String currentBootId() {
        try {
            return Files.readString(BOOT_ID).strip();
        } catch (IOException e) {
            return "";
        }
    }
}
