package dev.virtunit.internal.image;

import dev.virtunit.ImageLocation;
import dev.virtunit.VirtunitException;
import dev.virtunit.internal.host.HostCommands;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * Images downloaded by URL, each once, under {@code <cacheDir>/images/by-url/<key>/<file>}: the key is the digest
 * when one is given (a changed digest downloads again), else the sha256 of the URL. A file there is complete: it is
 * downloaded (and unpacked) into a temporary file of the same folder, synced, verified, then renamed into place, and
 * only one thread of one JVM prepares an entry at a time ({@link CacheLock}); the others wait and use its result.
 * Folders are 0755 and images 0644: libvirt's qemu user reads them as backing files.
 */
final class UrlImageCache {

    private static final Logger LOG = LoggerFactory.getLogger(UrlImageCache.class);
    private static final Duration UNPACK_TIMEOUT = Duration.ofMinutes(30);

    private final Path byUrl;
    private final HostCommands host;
    private final HttpDownload http;

    UrlImageCache(Path cacheDir, HostCommands host, HttpDownload http) {
        this.byUrl = cacheDir.resolve("images").resolve("by-url");
        this.host = host;
        this.http = http;
    }

    /** The cached image of {@code url}, downloaded, verified and unpacked first unless an earlier run did. */
    Path image(ImageLocation.Url url) {
        Path entry = byUrl.resolve(url.digest().map(d -> d.substring(d.indexOf(':') + 1)).orElseGet(() -> Sha256.hexOf(url.address())));
        Path image = entry.resolve(fileName(url.uri()));
        if (Files.isRegularFile(image)) {
            LOG.debug("image {} is cached as {}", url, image);
            return image;
        }
        try {
            CacheFiles.createReadableDirectories(entry);
        } catch (IOException e) {
            throw new VirtunitException("cannot create the image cache folder " + entry + " for " + url.address() + ": "
                    + e + "; check that virtunit.cache.dir is writable by this user", e);
        }
        try (CacheLock lock = CacheLock.acquire(entry.resolve(".lock"), url.address())) {
            if (Files.isRegularFile(image)) {
                LOG.info("image {} was downloaded meanwhile by another thread or process: {}", url.address(), image);
                return image;
            }
            download(url, entry, image);
            return image;
        } catch (IOException e) {
            throw new VirtunitException("cannot store image " + url.address() + " in " + entry + ": " + e, e);
        }
    }

    private void download(ImageLocation.Url url, Path entry, Path image) throws IOException {
        CacheFiles.removeTemporaries(entry);   // what a JVM killed half-way left; nobody else writes here while we hold the lock
        Path downloaded = Files.createTempFile(entry, CacheFiles.TEMPORARY_PREFIX, ".download");
        Path unpacked = null;
        try {
            LOG.info("downloading image {} into {}", url.address(), entry);
            HttpDownload.Result result = http.fetch(url.uri(), downloaded);
            if (url.digest().isPresent() && !url.digest().get().equals(result.sha256())) {
                throw new VirtunitException("image " + url.address() + " does not match its digest: expected "
                        + url.digest().get() + ", got " + result.sha256() + " (" + result.bytes() + " bytes); nothing was "
                        + "kept. Check the digest, or whether the server now serves another file");
            }
            if (url.digest().isEmpty()) {
                LOG.info("image {} has digest {}; pin it (imageDigest = \"{}\") so a changed file is caught",
                        url.address(), result.sha256(), result.sha256());
            }
            Path ready = downloaded;
            Unpacking compression = Unpacking.of(downloaded);
            if (compression != Unpacking.NONE) {
                unpacked = Files.createTempFile(entry, CacheFiles.TEMPORARY_PREFIX, ".unpacked");
                LOG.info("unpacking image {} ({})", url.address(), compression.name().toLowerCase(Locale.ROOT));
                compression.unpack(downloaded, unpacked, host, UNPACK_TIMEOUT, url.address());
                ready = unpacked;
            }
            Files.writeString(entry.resolve("source.txt"), "url: " + url.address() + "\ndigest: " + result.sha256()
                    + "\ncompression: " + compression.name().toLowerCase(Locale.ROOT) + "\nsize: "
                    + Files.size(ready) + "\ndownloaded: " + Instant.now() + "\n", StandardCharsets.UTF_8);
            CacheFiles.publish(ready, image);
            LOG.info("image {} is cached as {} ({})", url.address(), image, DownloadProgress.size(Files.size(image)));
        } finally {
            Files.deleteIfExists(downloaded);
            if (unpacked != null) {
                Files.deleteIfExists(unpacked);
            }
        }
    }

    /** The cached file's name: the URL's last path segment, unpacked (no {@code .xz}, {@code .gz}), safe as a file name. */
    static String fileName(URI url) {
        String path = url.getPath() == null ? "" : url.getPath();
        String last = path.substring(path.lastIndexOf('/') + 1).replaceAll("\\.(xz|gz|gzip)$", "");
        String safe = last.replaceAll("[^A-Za-z0-9._+-]", "_").replaceAll("^\\.+", "");
        return safe.isEmpty() ? "image" : safe;
    }
}
