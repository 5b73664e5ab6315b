package dev.virtunit.internal.image;

import dev.virtunit.ImageLocation;
import dev.virtunit.internal.host.HostCommands;

import java.nio.file.Path;
import java.util.Optional;

/** A second JVM for {@link UrlImageCacheTest}: resolves one URL in a cache folder and prints the cached file. */
public final class CacheChild {

    private CacheChild() {
    }

    /** @param args the cache folder and the URL */
    public static void main(String[] args) {
        Path image = new UrlImageCache(Path.of(args[0]), HostCommands.local(), HttpDownload.withDefaultTimeouts())
                .image(new ImageLocation.Url(args[1], Optional.empty()));
        System.out.println(image);
    }
}
