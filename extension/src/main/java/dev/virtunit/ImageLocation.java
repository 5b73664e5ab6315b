package dev.virtunit;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a guest's disk image comes from, in one of three forms:
 * <ul>
 *   <li>{@link LocalFile}: a file on this host, used where it is ({@code images/router.qcow2});</li>
 *   <li>{@link Url}: an {@code http://} or {@code https://} URL, downloaded once into virtunit's cache
 *       ({@code virtunit.cache.dir}), verified against its {@code sha256:} digest when one is given, and unpacked when
 *       it is {@code .xz} or {@code .gz} compressed;</li>
 *   <li>{@link BuiltIn}: an image virtunit makes itself, named {@code virtunit:<name>}; {@code virtunit:tiny} is the
 *       project's tiny busybox image ({@code scripts/build-test-image}), built into the cache on first use.</li>
 * </ul>
 * A location is a plain value: whether it is usable (the file exists, the URL's scheme, the digest's form, the
 * built-in name) is checked with the rest of the spec by {@link GuestSpecBuilder#build()}, all problems together.
 *
 * @since 0.2
 */
public sealed interface ImageLocation permits ImageLocation.LocalFile, ImageLocation.Url, ImageLocation.BuiltIn {

    /** What starts the name of a built-in image. */
    String BUILT_IN_PREFIX = "virtunit:";

    /** The built-in images there are, without {@link #BUILT_IN_PREFIX}. */
    List<String> BUILT_IN_NAMES = List.of("tiny");

    /**
     * {@return a file on this host}
     *
     * @param file the image file
     */
    static ImageLocation of(Path file) {
        return new LocalFile(file);
    }

    /**
     * Reads the form a user writes: {@code virtunit:<name>} is built in, {@code scheme://...} is a URL (with no digest),
     * anything else a path on this host, relative to the working directory.
     *
     * @param text what the user wrote; not null
     * @return a {@link BuiltIn}, {@link Url} or {@link LocalFile}
     */
    static ImageLocation parse(String text) {
        Objects.requireNonNull(text, "text");
        if (text.startsWith(BUILT_IN_PREFIX)) {
            return new BuiltIn(text.substring(BUILT_IN_PREFIX.length()));
        }
        if (startsWithScheme(text)) {
            return new Url(text, Optional.empty());
        }
        return new LocalFile(Path.of(text));
    }

    /** {@code scheme://} at the start: the text is meant as a URL, whatever the scheme (only http and https pass). */
    private static boolean startsWithScheme(String text) {
        int end = text.indexOf("://");
        return end > 0 && text.substring(0, end).matches("[A-Za-z][A-Za-z0-9+.-]*");
    }

    /**
     * An image to download.
     *
     * @param url    an {@code http://} or {@code https://} URL
     * @param digest {@code sha256:<64 hex digits>} of the file as served (compressed, if it is), or null to trust
     *               whatever the server sends (virtunit logs the digest it computed, to pin it)
     * @return the location; it is checked when the spec holding it is built
     */
    static ImageLocation url(URI url, String digest) {
        return new Url(url.toString(), Optional.ofNullable(digest));
    }

    /**
     * A disk image file on this host.
     *
     * @param path the file; relative paths are resolved against the working directory
     */
    record LocalFile(Path path) implements ImageLocation {
        /**
         * Checks that {@code path} is not null.
         *
         * @param path the file; relative paths are resolved against the working directory
         */
        public LocalFile {
            Objects.requireNonNull(path, "path");
        }

        @Override
        public String toString() {
            return path.toString();
        }
    }

    /**
     * A disk image downloaded once into virtunit's cache and shared by every later run.
     *
     * @param address the URL as given
     * @param digest  {@code sha256:<hex>} the downloaded file must have (lower-cased); empty: not verified
     */
    record Url(String address, Optional<String> digest) implements ImageLocation {
        /**
         * Checks that no component is null; keeps the digest in lower case.
         *
         * @param address the URL as given
         * @param digest  {@code sha256:<hex>} the downloaded file must have (lower-cased); empty: not verified
         */
        public Url {
            Objects.requireNonNull(address, "address");
            digest = Objects.requireNonNull(digest, "digest").map(d -> d.toLowerCase(Locale.ROOT));
        }

        /** {@return the address as a {@link URI}; valid once the spec holding it was built} */
        public URI uri() {
            return URI.create(address);
        }

        /**
         * {@return the same URL, verified against {@code digest} ({@code sha256:<64 hex digits>})}
         *
         * @param digest {@code sha256:} and 64 hex digits, any case
         */
        public Url withDigest(String digest) {
            return new Url(address, Optional.of(digest));
        }

        @Override
        public String toString() {
            return address + digest.map(d -> " (" + d + ")").orElse("");
        }
    }

    /**
     * An image virtunit makes itself.
     *
     * @param name its name without {@link #BUILT_IN_PREFIX}, one of {@link #BUILT_IN_NAMES}
     */
    record BuiltIn(String name) implements ImageLocation {
        /**
         * Checks that {@code name} is not null.
         *
         * @param name its name without {@link #BUILT_IN_PREFIX}, one of {@link #BUILT_IN_NAMES}
         */
        public BuiltIn {
            Objects.requireNonNull(name, "name");
        }

        @Override
        public String toString() {
            return BUILT_IN_PREFIX + name;
        }
    }
}
