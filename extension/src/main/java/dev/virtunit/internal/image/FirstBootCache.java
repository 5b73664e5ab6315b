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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Disks that have been through an image's slow first boot once, kept as qcow2 overlays on the image under
 * {@code <cacheDir>/images/warm/<key>/base.qcow2}, for later guests to put their own overlay on.
 *
 * <p>The key is the sha256 of the image's content digest ({@link ImageDigests}), its real path (the base names it as
 * its backing file), the prep recipe's version and the seed shape the caller warmed it for: a changed image, recipe or
 * shape is a new key, never a stale base. An entry is prepared by one thread of one JVM at a time
 * ({@link CacheLock}); the others wait and use its result. The base is written as a {@code .part-*} temporary and
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

    private final Path warmDir;
    private final ImageDigests digests;
    /** Keys whose warm-up failed in this cache's life: those guests boot cold at once instead of trying again. */
    private final Set<String> failed = ConcurrentHashMap.newKeySet();

    /** A cache under {@code cacheDir} (the lab's {@code virtunit.cache.dir}). */
    public FirstBootCache(Path cacheDir) {
        this(cacheDir, new ImageDigests(cacheDir));
    }

    FirstBootCache(Path cacheDir, ImageDigests digests) {
        this.warmDir = cacheDir.resolve("images").resolve("warm");
        this.digests = digests;
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
        Path entry = warmDir.resolve(key);
        Optional<WarmBase> ready = lookUp(entry, key);
        if (ready.isPresent() || skipped(entry, key, image)) {
            return ready;
        }
        try {
            CacheFiles.createReadableDirectories(entry);
        } catch (IOException e) {
            LOG.warn("cannot create the first-boot cache folder {} ({}); {} boots cold", entry, e, image);
            return Optional.empty();
        }
        try (CacheLock lock = CacheLock.acquire(entry.resolve(".lock"), "the warmed first boot of " + image)) {
            ready = lookUp(entry, key);
            if (ready.isPresent()) {
                LOG.info("{} was warmed meanwhile by another thread or process: {}", image, ready.get().disk());
                return ready;
            }
            return skipped(entry, key, image) ? Optional.empty() : warm(image, recipe, seedShape, warmUp, key, entry);
        } catch (VirtunitException e) {
            failed.add(key);
            LOG.warn("cannot warm {} for the first-boot cache ({}); its guests boot cold", image, e.getMessage());
            return Optional.empty();
        }
    }

    /** Whether {@code image} is known not to warm, saying so. */
    private boolean skipped(Path entry, String key, Path image) {
        Path marker = entry.resolve(NOT_WARMABLE);
        if (Files.isRegularFile(marker)) {
            LOG.info("{} is recorded as not warmable in {}; delete that file to try again", image, marker);
            return true;
        }
        if (failed.contains(key)) {
            LOG.info("{} failed to warm earlier in this run (the log says why); not tried again until the next run", image);
            return true;
        }
        return false;
    }

    private Optional<WarmBase> warm(Path image, String recipe, String seedShape, WarmUp warmUp, String key, Path entry) {
        Instant start = Instant.now();
        Path part = null;
        try {
            CacheFiles.removeTemporaries(entry);
            part = Files.createTempFile(entry, CacheFiles.TEMPORARY_PREFIX, ".qcow2");
            LOG.info("warming {} once for the first-boot cache (key {}): one boot until cloud-init is done, then a clean "
                    + "shutdown; about a cold boot's time, after which its guests start from the warmed disk", image, key);
            Optional<String> unsuitable = warmUp.warm(image, part, key);
            if (unsuitable.isPresent()) {
                LOG.info("{} cannot be warmed ({}); its guests boot cold, and the cache remembers it in {}", image,
                        unsuitable.get(), entry.resolve(NOT_WARMABLE));
                CacheFiles.writeAtomically(entry.resolve(NOT_WARMABLE), "image: " + image + "\nreason: "
                        + unsuitable.get() + "\nfound: " + Instant.now() + "\n");
                return Optional.empty();
            }
            CacheFiles.writeAtomically(entry.resolve("source.txt"), "image: " + image.toRealPath() + "\ndigest: "
                    + digests.digest(image) + "\nrecipe: " + recipe + "\nseed shape: " + seedShape + "\nwarmed: "
                    + Instant.now() + "\nseconds: " + Duration.between(start, Instant.now()).toSeconds() + "\n");
            CacheFiles.publish(part, entry.resolve(BASE));
            LOG.info("warmed {} in {} s: first-boot base {}", image, Duration.between(start, Instant.now()).toSeconds(),
                    entry.resolve(BASE));
            return Optional.of(new WarmBase(entry.resolve(BASE), key));
        } catch (IOException | RuntimeException e) {
            failed.add(key);
            LOG.warn("warming {} failed after {} s, so its guests boot cold: {}", image,
                    Duration.between(start, Instant.now()).toSeconds(), e.getMessage() == null ? e : e.getMessage());
            return Optional.empty();
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
