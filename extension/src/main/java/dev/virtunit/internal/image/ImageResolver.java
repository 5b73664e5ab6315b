package dev.virtunit.internal.image;

import dev.virtunit.ImageLocation;
import dev.virtunit.internal.host.HostCommands;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Turns where an image comes from into a file on this host, at provisioning time: a local file as it is, a URL
 * through the download cache ({@link UrlImageCache}), {@code virtunit:tiny} through its build ({@link TinyImage}).
 * The spec was validated when built, so every location here is well formed.
 *
 * @since 0.2
 */
public final class ImageResolver {

    /** How long building {@code virtunit:tiny} may take, apt's downloads included. */
    private static final Duration TINY_BUILD_TIMEOUT = Duration.ofMinutes(10);

    private final UrlImageCache downloads;
    private final TinyImage tiny;

    /** Resolves into {@code cacheDir} (the lab's {@code virtunit.cache.dir}), running programs through {@code host}. */
    public ImageResolver(Path cacheDir, HostCommands host) {
        this(new UrlImageCache(cacheDir, host, HttpDownload.withDefaultTimeouts()),
                new TinyImage(cacheDir, host, TINY_BUILD_TIMEOUT));
    }

    ImageResolver(UrlImageCache downloads, TinyImage tiny) {
        this.downloads = downloads;
        this.tiny = tiny;
    }

    /** The file behind {@code location}, downloaded or built first when it is not there yet. */
    public Path localFile(ImageLocation location) {
        if (location instanceof ImageLocation.LocalFile file) {
            return file.path();
        }
        if (location instanceof ImageLocation.Url url) {
            return downloads.image(url);
        }
        ImageLocation.BuiltIn builtIn = (ImageLocation.BuiltIn) location;
        if (!builtIn.name().equals("tiny")) {
            throw new IllegalArgumentException(builtIn + " is no built-in image; the spec's rules should have said so");
        }
        return tiny.image();
    }
}
