package dev.virtunit.internal.image;

import dev.virtunit.internal.host.FileTrees;

import dev.virtunit.VirtunitException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Disks that have been through an image's slow first boot once, kept as qcow2 overlays on the image under
 * {@code <cacheDir>/images/warm/<key>/base.qcow2}, for later guests to put their own overlay on.
 *
 * <p>The key is the sha256 of the image's content digest ({@link ImageDigests}), its real path (the base names it as
 * its backing file), the prep recipe's version and the seed shape the caller warmed it for: a changed image, recipe or
 * shape is a new key, never a stale base. Entries follow {@link PreparedEntries}' protocol: prepared by one thread of
 * one JVM at a time ({@link CacheLock}); the others wait and use its result. The base is written as a {@code .part-*} temporary and
 * renamed into place once synced, 0644 in 0755 folders so libvirt's qemu user reads it as a backing file. An image
 * the warm-up found unsuitable (no cloud-init) is recorded in {@code not-warmable.txt} and never tried again; a
 * warm-up that failed otherwise is not recorded (the next run tries again) but is not retried by this cache.
 *
 * @since 0.2
 */
public final class FirstBootCache {

    private static final Logger LOG = LoggerFactory.getLogger(FirstBootCache.class);
    private static final String BASE = "base.qcow2";
    private static final String NOT_WARMABLE = "not-warmable.txt";

    private final ImageDigests digests;
    private final PreparedEntries<WarmBase> entries;

    /** A cache under {@code cacheDir} (the lab's {@code virtunit.cache.dir}). */
    public FirstBootCache(Path cacheDir) {
        this(cacheDir, new ImageDigests(cacheDir));
    }

    FirstBootCache(Path cacheDir, ImageDigests digests) {
        this.digests = digests;
        this.entries = new PreparedEntries<>(cacheDir.resolve("images").resolve("warm"), "first-boot base", NOT_WARMABLE,
                FirstBootCache::lookUp);
    }

    /** Boots an image once and prepares its disk for reuse. */
    @FunctionalInterface
    public interface WarmUp {

        /**
         * Boots {@code image} once and leaves the prepared disk, a qcow2 overlay on {@code image}, at {@code disk};
         * removes everything else it made, whatever happens.
         *
         * @param key the entry's key, for names and the log
         * @return empty when done, or why the image cannot be warmed at all (recorded, never tried again)
         * @throws RuntimeException when this warm-up failed; the caller boots cold and says why
         */
        Optional<String> warm(Path image, Path disk, String key);
    }

    /** A warmed disk and the key it is cached under. */
    public record WarmBase(Path disk, String key) {
    }

    /**
     * The warmed base of {@code image} for guests seeded as {@code seedShape} says, warmed now through {@code warmUp}
     * unless an earlier run did; empty when the image cannot be warmed or its warm-up failed (the guest boots cold).
     *
     * @param recipe the prep recipe's version: a new one makes new bases
     */
    public Optional<WarmBase> base(Path image, String recipe, String seedShape, WarmUp warmUp) {
        String key;
        try {
            key = key(image, recipe, seedShape);
        } catch (VirtunitException e) {
            LOG.warn("cannot key {} for the first-boot cache ({}); its guests boot cold", image, e.getMessage());
            return Optional.empty();
        }
        PreparedEntries.Outcome<WarmBase> outcome = entries.obtain(key, image,
                entry -> warm(image, recipe, seedShape, warmUp, key, entry));
        if (outcome.value().isEmpty()) {
            LOG.info("{} boots cold: {}", image, outcome.whyNot());
        }
        return outcome.value();
    }

    private PreparedEntries.Prepared<WarmBase> warm(Path image, String recipe, String seedShape, WarmUp warmUp,
                                                     String key, Path entry) throws IOException {
        Instant start = Instant.now();
        Path part = null;
        try {
            part = Files.createTempFile(entry, CacheFiles.TEMPORARY_PREFIX, ".qcow2");
            LOG.info("warming {} once for the first-boot cache (key {}): one boot until cloud-init is done, then a clean "
                    + "shutdown; about a cold boot's time, after which its guests start from the warmed disk", image, key);
            Optional<String> unsuitable = warmUp.warm(image, part, key);
            if (unsuitable.isPresent()) {
                return new PreparedEntries.Unsuitable<>(unsuitable.get());
            }
            CacheFiles.writeAtomically(entry.resolve("source.txt"), "image: " + image.toRealPath() + "\ndigest: "
                    + digests.digest(image) + "\nrecipe: " + recipe + "\nseed shape: " + seedShape + "\nwarmed: "
                    + Instant.now() + "\nseconds: " + Duration.between(start, Instant.now()).toSeconds() + "\n");
            CacheFiles.publish(part, entry.resolve(BASE));
            LOG.info("warmed {} in {} s: first-boot base {}", image, Duration.between(start, Instant.now()).toSeconds(),
                    entry.resolve(BASE));
            return new PreparedEntries.Ready<>(new WarmBase(entry.resolve(BASE), key));
        } finally {
            FileTrees.deleteQuietly(part);   // a .part- file left anyway is removed by the next warm-up
        }
    }

    /** The entry's key: what must match for a warmed disk to be valid for a guest. */
    String key(Path image, String recipe, String seedShape) {
        String realPath;
        try {
            realPath = image.toRealPath().toString();
        } catch (IOException e) {
            throw new VirtunitException("cannot read image " + image + " to warm it: " + e, e);
        }
        return Sha256.hexOf("virtunit first-boot cache\nimage: " + digests.digest(image) + "\npath: " + realPath
                + "\nrecipe: " + recipe + "\nseed shape: " + seedShape + "\n").substring(0, 24);
    }

    private static Optional<WarmBase> lookUp(Path entry, String key) {
        Path base = entry.resolve(BASE);
        return Files.isRegularFile(base) ? Optional.of(new WarmBase(base, key)) : Optional.empty();
    }

}
