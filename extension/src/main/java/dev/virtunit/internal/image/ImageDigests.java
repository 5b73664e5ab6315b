package dev.virtunit.internal.image;

import dev.virtunit.VirtunitException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.function.Function;

/**
 * Content digests of local images, remembered by path, size and modification time under
 * {@code <cacheDir>/images/digests/}, so a 500 MB image is read once rather than on every run. A file rewritten in
 * place gets a new modification time and so a new digest; one changed with its size and time forged back is not
 * noticed (no image tool does that).
 *
 * @since 0.2
 */
public final class ImageDigests {

    private final Path memoDir;
    private final Function<Path, String> hasher;

    /** Remembers digests under {@code cacheDir} (the lab's {@code virtunit.cache.dir}). */
    public ImageDigests(Path cacheDir) {
        this(cacheDir, ImageDigests::sha256Of);
    }

    ImageDigests(Path cacheDir, Function<Path, String> hasher) {
        this.memoDir = cacheDir.resolve("images").resolve("digests");
        this.hasher = hasher;
    }

    /** {@code sha256:<hex>} of the content of {@code image} (its real path), read only when not remembered. */
    public String digest(Path image) {
        try {
            Path real = image.toRealPath();
            String stamp = "path: " + real + "\nsize: " + Files.size(real) + "\nmodified: " + Files.getLastModifiedTime(real) + "\n";
            Path memo = memoDir.resolve(Sha256.hexOf(real.toString()) + ".txt");
            Optional<String> remembered = remembered(memo, stamp);
            if (remembered.isPresent()) {
                return remembered.get();
            }
            String digest = hasher.apply(real);
            CacheFiles.createReadableDirectories(memoDir);
            CacheFiles.writeAtomically(memo, stamp + "digest: " + digest + "\n");
            return digest;
        } catch (IOException e) {
            throw new VirtunitException("cannot digest image " + image + ": " + e
                    + "; check that it is readable and that virtunit.cache.dir is writable by this user", e);
        }
    }

    private static Optional<String> remembered(Path memo, String stamp) throws IOException {
        if (!Files.isRegularFile(memo)) {
            return Optional.empty();
        }
        String text = Files.readString(memo);
        int digest = text.indexOf("digest: ");
        if (!text.startsWith(stamp) || digest < 0) {
            return Optional.empty();
        }
        return Optional.of(text.substring(digest + "digest: ".length()).strip());
    }

    static String sha256Of(Path file) {
        MessageDigest digest = Sha256.newDigest();
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
            in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return Sha256.prefixed(digest);
    }
}
