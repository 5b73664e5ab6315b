package dev.virtunit.internal.image;

import dev.virtunit.VirtunitException;
import dev.virtunit.internal.host.FileTrees;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Saved guests to restore copies of ("boot once, restore many"): for one image and one guest shape, the disk a guest
 * left when it was saved ({@code disk.qcow2}, a qcow2 overlay on the image) and its memory and device state
 * ({@code memory.save}, a libvirt save image), under {@code <cacheDir>/images/templates/<key>/}.
 *
 * <p>The key is the sha256 of the image's content digest and real path and of the shape: everything a copy must share
 * with the template for QEMU to take its state (memory, vCPUs, accelerator, devices and their features, the emulator
 * and virtunit's recipe; the caller writes them into the shape). A changed image or shape is a new key, never a stale
 * template. Entries follow {@link PreparedEntries}' protocol, as {@link FirstBootCache}'s do: prepared by one thread of
 * one JVM at a time, files written as {@code .part-*} temporaries and renamed into place, an image found unsuitable
 * recorded ({@code not-restorable.txt}) and never tried again, a failed preparation not retried in this cache's life.
 *
 * @since 0.3
 */
public final class RestoreTemplates {

    private static final Logger LOG = LoggerFactory.getLogger(RestoreTemplates.class);
    static final String DISK = "disk.qcow2";
    static final String MEMORY = "memory.save";
    static final String NOT_RESTORABLE = "not-restorable.txt";

    private final ImageDigests digests;
    private final PreparedEntries<Template> entries;

    /** Templates under {@code cacheDir} (the lab's {@code virtunit.cache.dir}). */
    public RestoreTemplates(Path cacheDir) {
        this(cacheDir, new ImageDigests(cacheDir));
    }

    RestoreTemplates(Path cacheDir, ImageDigests digests) {
        this.digests = digests;
        this.entries = new PreparedEntries<>(cacheDir.resolve("images").resolve("templates"), "restore template",
                NOT_RESTORABLE, RestoreTemplates::lookUp);
    }

    /** Boots a template guest once and saves it. */
    @FunctionalInterface
    public interface Preparation {

        /**
         * Boots a guest of {@code image} on an overlay at {@code disk} until it waits for its identity, saves it to
         * {@code memory} and removes the domain, whatever happens.
         *
         * @return empty when saved, or why the image cannot serve as a template at all (recorded, never tried again)
         * @throws RuntimeException when this preparation failed; the caller boots its guest instead and says why
         */
        Optional<String> prepare(Path image, Path disk, Path memory, String key);
    }

    /** A saved template: its disk (frozen: copies put their own overlay on it) and its save image. */
    public record Template(Path disk, Path memory, String key) {
    }

    /**
     * The template of {@code image} in {@code shape}, prepared now through {@code preparation} unless an earlier run
     * did; or why there is none (the guest boots instead).
     */
    public Result template(Path image, String shape, Preparation preparation) {
        String key;
        try {
            key = key(image, shape);
        } catch (VirtunitException e) {
            return new Result(Optional.empty(), "the image cannot be keyed for the template cache: " + e.getMessage());
        }
        PreparedEntries.Outcome<Template> outcome = entries.obtain(key, image, entry -> prepare(image, shape, preparation, key, entry));
        return new Result(outcome.value(), outcome.whyNot());
    }

    /** A template, or why there is none. */
    public record Result(Optional<Template> template, String whyNot) {
    }

    private PreparedEntries.Prepared<Template> prepare(Path image, String shape, Preparation preparation, String key,
                                                        Path entry) throws IOException {
        Instant start = Instant.now();
        Path disk = null;
        Path memory = null;
        try {
            disk = Files.createTempFile(entry, CacheFiles.TEMPORARY_PREFIX, ".qcow2");
            memory = Files.createTempFile(entry, CacheFiles.TEMPORARY_PREFIX, ".save");
            // libvirt writes the save image itself and will not overwrite a file it did not make.
            Files.delete(memory);
            LOG.info("saving a restore template of {} (key {}): one boot until the guest waits for its identity, then "
                    + "a save; later guests of this shape are restored from it", image, key);
            Optional<String> unsuitable = preparation.prepare(image, disk, memory, key);
            if (unsuitable.isPresent()) {
                return new PreparedEntries.Unsuitable<>(unsuitable.get());
            }
            CacheFiles.writeAtomically(entry.resolve("source.txt"), "image: " + image.toRealPath() + "\ndigest: "
                    + digests.digest(image) + "\nshape: " + shape + "\nsaved: " + Instant.now() + "\n");
            // The disk first: a save image is only ever found beside its disk.
            CacheFiles.publish(disk, entry.resolve(DISK));
            CacheFiles.publish(memory, entry.resolve(MEMORY));
            LOG.info("saved the restore template of {} in {} ms: {}", image,
                    Duration.between(start, Instant.now()).toMillis(), entry);
            return new PreparedEntries.Ready<>(new Template(entry.resolve(DISK), entry.resolve(MEMORY), key));
        } finally {
            FileTrees.deleteQuietly(disk);
            FileTrees.deleteQuietly(memory);
        }
    }

    /** The entry's key: what must match for a template to serve a guest. */
    String key(Path image, String shape) {
        String realPath;
        try {
            realPath = image.toRealPath().toString();
        } catch (IOException e) {
            throw new VirtunitException("cannot read image " + image + ": " + e, e);
        }
        return Sha256.hexOf("virtunit restore template\nimage: " + digests.digest(image) + "\npath: " + realPath
                + "\nshape: " + shape + "\n").substring(0, 24);
    }

    private static Optional<Template> lookUp(Path entry, String key) {
        Path disk = entry.resolve(DISK);
        Path memory = entry.resolve(MEMORY);
        return Files.isRegularFile(disk) && Files.isRegularFile(memory)
                ? Optional.of(new Template(disk, memory, key)) : Optional.empty();
    }
}
