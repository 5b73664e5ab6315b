package dev.virtunit.internal.image;

import dev.virtunit.VirtunitException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;

/**
 * The protocol both expensive caches of an image follow ({@link FirstBootCache}'s warmed bases,
 * {@link RestoreTemplates}' saved templates), in one place: an entry is a folder {@code <root>/<key>/}; a complete
 * entry is found by its published files; an image found unsuitable is recorded in a marker file and never tried
 * again (until a person deletes it); a preparation that failed otherwise is not recorded, so the next run tries
 * again, but it is not retried in this cache's life. One thread of one JVM prepares an entry at a time
 * ({@link CacheLock}); whoever waited looks again before preparing, and finds the other's result. Temporaries a
 * killed preparation left ({@code .part-*}) are removed before the next one starts.
 *
 * @param <T> what a complete entry gives its user
 */
final class PreparedEntries<T> {

    private static final Logger LOG = LoggerFactory.getLogger(PreparedEntries.class);

    /** What preparing one entry led to: the entry is ready, or the image can never have one, and why. */
    sealed interface Prepared<T> {
    }

    /** The entry was prepared and published. */
    record Ready<T>(T value) implements Prepared<T> {
    }

    /** The image cannot have this kind of entry at all; recorded, never tried again. */
    record Unsuitable<T>(String reason) implements Prepared<T> {
    }

    /** Prepares one entry's files in its folder, as temporaries published when complete. */
    @FunctionalInterface
    interface Preparation<T> {
        Prepared<T> prepare(Path entry) throws IOException;
    }

    /** An entry, or why there is none (the guest goes without it). */
    record Outcome<T>(Optional<T> value, String whyNot) {

        static <T> Outcome<T> of(T value) {
            return new Outcome<>(Optional.of(value), "");
        }

        static <T> Outcome<T> none(String whyNot) {
            return new Outcome<>(Optional.empty(), whyNot);
        }
    }

    private final Path root;
    private final String what;
    private final String unsuitableMarker;
    private final BiFunction<Path, String, Optional<T>> lookUp;
    /** Keys whose preparation failed in this cache's life: those guests go without at once instead of trying again. */
    private final Set<String> failed = ConcurrentHashMap.newKeySet();

    /**
     * @param root             the folder of this kind's entries
     * @param what             what an entry is, for messages: "first-boot base", "restore template"
     * @param unsuitableMarker the file recording that an image cannot have one
     * @param lookUp           the complete entry in a folder (its key given), or empty
     */
    PreparedEntries(Path root, String what, String unsuitableMarker, BiFunction<Path, String, Optional<T>> lookUp) {
        this.root = root;
        this.what = what;
        this.unsuitableMarker = unsuitableMarker;
        this.lookUp = lookUp;
    }

    /**
     * The entry {@code key} of {@code image}, prepared now through {@code preparation} unless an earlier run (or a
     * thread or process that held the lock before us) did; or why there is none.
     */
    Outcome<T> obtain(String key, Path image, Preparation<T> preparation) {
        Path entry = root.resolve(key);
        Optional<T> ready = lookUp.apply(entry, key);
        if (ready.isPresent()) {
            return Outcome.of(ready.get());
        }
        Optional<String> skipped = skipped(entry, key);
        if (skipped.isPresent()) {
            return Outcome.none(skipped.get());
        }
        try {
            CacheFiles.createReadableDirectories(entry);
        } catch (IOException e) {
            return Outcome.none("cannot create the " + what + " folder " + entry + ": " + e);
        }
        try (CacheLock lock = CacheLock.acquire(entry.resolve(".lock"), "the " + what + " of " + image)) {
            ready = lookUp.apply(entry, key);
            if (ready.isPresent()) {
                LOG.info("the {} of {} was prepared meanwhile by another thread or process: {}", what, image, entry);
                return Outcome.of(ready.get());
            }
            skipped = skipped(entry, key);
            return skipped.isPresent() ? Outcome.none(skipped.get()) : prepare(key, image, entry, preparation);
        } catch (VirtunitException e) {
            failed.add(key);
            return Outcome.none("cannot prepare the " + what + " of " + image + ": " + e.getMessage());
        }
    }

    /** Why the entry is not even tried: recorded as unsuitable, or failed earlier in this cache's life. */
    private Optional<String> skipped(Path entry, String key) {
        Path marker = entry.resolve(unsuitableMarker);
        if (Files.isRegularFile(marker)) {
            return Optional.of("the image is recorded as unable to have a " + what + " in " + marker
                    + "; delete that file to try again");
        }
        if (failed.contains(key)) {
            return Optional.of("its " + what + " failed earlier in this run (the log says why); not tried again "
                    + "until the next run");
        }
        return Optional.empty();
    }

    private Outcome<T> prepare(String key, Path image, Path entry, Preparation<T> preparation) {
        Instant start = Instant.now();
        try {
            CacheFiles.removeTemporaries(entry);
            Prepared<T> prepared = preparation.prepare(entry);
            if (prepared instanceof Unsuitable<T> unsuitable) {
                Path marker = entry.resolve(unsuitableMarker);
                CacheFiles.writeAtomically(marker, "image: " + image + "\nreason: " + unsuitable.reason()
                        + "\nfound: " + Instant.now() + "\n");
                return Outcome.none(unsuitable.reason() + " (recorded in " + marker + ")");
            }
            return Outcome.of(((Ready<T>) prepared).value());
        } catch (IOException | RuntimeException e) {
            failed.add(key);
            return Outcome.none("preparing its " + what + " failed after "
                    + Duration.between(start, Instant.now()).toSeconds() + " s: "
                    + (e.getMessage() == null ? e : e.getMessage()));
        }
    }
}
