package dev.virtunit.internal.lab;

import dev.virtunit.VirtunitException;
import dev.virtunit.internal.host.HostFiles;
import dev.virtunit.internal.image.ImageDigests;
import dev.virtunit.internal.libvirt.Hypervisor;
import dev.virtunit.internal.text.Xml;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Images on a remote libvirt host: uploaded once through libvirt's volume upload into a {@code dir} pool kept across
 * runs ({@value #POOL} at the host's {@code <cacheDir>/images-by-digest}), named by their content's digest, and found
 * there by later runs, so an image crosses the wire once.
 *
 * <p>Each upload goes to a volume of its own, {@code sha256-<hex>-<random>.<ext>}, and only once all of it is there
 * does a marker volume {@code <that name>.complete} say so. A volume without its marker (an upload cut off when its
 * JVM was killed, or one still going on in another JVM) is never used; two JVMs uploading the same image at once each
 * write their own volume, and neither can spoil the other's.
 */
final class HostImagePool {

    private static final Logger LOG = LoggerFactory.getLogger(HostImagePool.class);

    /** The pool's name, the same on every host and for every run. */
    static final String POOL = "virtunit-images";
    /** The suffix of the marker volume that says the volume before it is complete. */
    static final String COMPLETE = ".complete";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Hypervisor hypervisor;
    private final HostFiles files;
    private final ImageDigests digests;
    private final Path dir;
    private final String where;
    private boolean poolReady;
    /** What this lab found or uploaded, by digest and extension: its later guests of that image ask libvirt no more. */
    private final Map<String, Path> known = new HashMap<>();

    /**
     * @param cacheDir the lab's {@code virtunit.cache.dir}: the same path on the host holds the pool's directory
     * @param where    the host, for messages
     */
    HostImagePool(Hypervisor hypervisor, HostFiles files, ImageDigests digests, Path cacheDir, String where) {
        this.hypervisor = hypervisor;
        this.files = files;
        this.digests = digests;
        this.dir = cacheDir.resolve("images-by-digest");
        this.where = where;
    }

    /** {@code image} as the host has it: the same format and size, at the path of its volume there. */
    DiskImage onHost(DiskImage image) {
        return new DiskImage(onHost(image.path(), image.format()), image.format(), image.virtualSize());
    }

    /**
     * The path on the host of the content of {@code localFile}: a complete volume of the same digest found there, or
     * one uploaded now.
     *
     * @param extension the volume's file name extension ({@code qcow2}, {@code raw}, {@code iso})
     */
    synchronized Path onHost(Path localFile, String extension) {
        String stem = digests.digest(localFile).replace(':', '-');
        Path seen = known.get(stem + "." + extension);
        if (seen != null) {
            return seen;
        }
        Path onHost = findOrUpload(localFile, stem, extension);
        known.put(stem + "." + extension, onHost);
        return onHost;
    }

    private Path findOrUpload(Path localFile, String stem, String extension) {
        ensurePool();
        List<String> volumes = hypervisor.volumeNames(POOL);
        Optional<String> complete = completeVolume(volumes, stem, extension);
        if (complete.isPresent()) {
            Optional<String> path = hypervisor.volumePath(POOL, complete.get());
            if (path.isPresent()) {
                LOG.info("image {} is on {} already: volume {} of pool {}", localFile, where, complete.get(), POOL);
                return Path.of(path.get());
            }
        }
        List<String> unmarked = volumes.stream().filter(name -> name.startsWith(stem + "-")
                && name.endsWith("." + extension) && !volumes.contains(name + COMPLETE)).toList();
        if (!unmarked.isEmpty()) {
            // Never removed here: one may be another JVM's upload under way, which libvirt lets no one delete anyway.
            LOG.info("{} has volumes of image {} without a marker, not used: {} (uploads cut off, or under way in "
                    + "another JVM; once no run uses that host: virsh -c URI vol-delete --pool {} NAME)", where,
                    localFile, unmarked, POOL);
        }
        return upload(localFile, stem + "-" + HexFormat.of().formatHex(randomBytes()) + "." + extension);
    }

    /** The first volume of {@code stem} whose marker says it is complete. */
    static Optional<String> completeVolume(List<String> volumes, String stem, String extension) {
        Set<String> names = Set.copyOf(volumes);
        return volumes.stream()
                .filter(name -> name.startsWith(stem + "-") && name.endsWith("." + extension))
                .filter(name -> names.contains(name + COMPLETE))
                .sorted()
                .findFirst();
    }

    private Path upload(Path localFile, String volume) {
        long size;
        try {
            size = Files.size(localFile);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot upload " + localFile + " to " + where + ": " + e.getMessage(), e);
        }
        long started = System.nanoTime();
        String path = hypervisor.createVolume(POOL, volumeXml(volume, size));
        try {
            hypervisor.uploadVolume(POOL, volume, localFile);
            // Only now: a volume without its marker is never taken for a complete image.
            hypervisor.createVolume(POOL, volumeXml(volume + COMPLETE, 0));
        } catch (RuntimeException e) {
            try {
                hypervisor.deleteVolume(POOL, volume);
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw new VirtunitException("cannot upload image " + localFile + " to volume " + volume + " of pool "
                    + POOL + " on " + where + ": " + e.getMessage(), e);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        LOG.info("uploaded image {} ({} MB) to {} in {} s: volume {} of pool {}", localFile,
                String.format("%.1f", size / 1e6), where, String.format("%.1f", seconds), volume, POOL);
        return Path.of(path);
    }

    private void ensurePool() {
        if (poolReady) {
            return;
        }
        // libvirt's build makes the last folder only; the cache folder above it may not exist on that host yet.
        files.createDirectories(dir);
        hypervisor.ensurePool(Xml.element("pool").attribute("type", "dir")
                .child(Xml.element("name").text(POOL))
                .child(Xml.element("target")
                        .child(Xml.element("path").text(dir.toString()))
                        .child(Xml.element("permissions").child(Xml.element("mode").text("0755"))))
                .render());
        poolReady = true;
    }

    /** A raw volume of {@code bytes}, sparse until written: the image's bytes go in as they are. */
    private static String volumeXml(String volume, long bytes) {
        return Xml.element("volume")
                .child(Xml.element("name").text(volume))
                .child(Xml.element("capacity").attribute("unit", "bytes").text(bytes))
                .child(Xml.element("allocation").attribute("unit", "bytes").text(0))
                .child(Xml.element("target")
                        .child(Xml.element("format").attribute("type", "raw"))
                        .child(Xml.element("permissions").child(Xml.element("mode").text("0644"))))
                .render();
    }

    private static byte[] randomBytes() {
        byte[] bytes = new byte[4];
        RANDOM.nextBytes(bytes);
        return bytes;
    }
}
