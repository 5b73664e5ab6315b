package dev.virtunit.internal.image;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The first-boot cache with a fake warm-up: warmed once per image content, recipe and seed shape, published whole and
 * readable by qemu, remembered across runs; an image that cannot be warmed is recorded, a failed warm-up is not kept
 * (and not retried in the same run), and two threads at once warm once.
 */
class FirstBootCacheTest {

    private static final String RECIPE = "1";
    private static final String SHAPE = "nocloud";

    @TempDir
    Path dir;
    private Path cacheDir;
    private Path image;
    private final List<Path> warmed = new CopyOnWriteArrayList<>();

    @BeforeEach
    void image() throws IOException {
        cacheDir = dir.resolve("cache");
        image = Files.writeString(dir.resolve("debian.qcow2"), "image content");
    }

    /** Writes a "disk" as the real warm-up would, and counts the boots. */
    private final FirstBootCache.WarmUp writesADisk = (image, disk, key) -> {
        warmed.add(image);
        write(disk, "warmed disk of " + image);
        return Optional.empty();
    };

    @Test
    void theFirstGuestWarmsTheImageAndLaterRunsFindTheBase() throws IOException {
        FirstBootCache.WarmBase base = new FirstBootCache(cacheDir).base(image, RECIPE, SHAPE, writesADisk).orElseThrow();
        FirstBootCache.WarmBase again = new FirstBootCache(cacheDir).base(image, RECIPE, SHAPE, writesADisk).orElseThrow();

        assertThat(warmed).hasSize(1);
        assertThat(again).isEqualTo(base);
        assertThat(base.disk()).isEqualTo(cacheDir.resolve("images/warm").resolve(base.key()).resolve("base.qcow2"))
                .hasContent("warmed disk of " + image);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(base.disk()))).isEqualTo("rw-r--r--");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(base.disk().getParent()))).isEqualTo("rwxr-xr-x");
        assertThat(base.disk().resolveSibling("source.txt")).content().contains("image: " + image.toRealPath(),
                "digest: sha256:" + Sha256.hexOf("image content"), "recipe: 1", "seed shape: nocloud");
        assertThat(leftovers()).isEmpty();
    }

    @Test
    void aChangedImageRecipeOrSeedShapeIsANewKeyAndIsWarmedAgain() throws IOException {
        FirstBootCache cache = new FirstBootCache(cacheDir);
        String first = cache.base(image, RECIPE, SHAPE, writesADisk).orElseThrow().key();

        Files.writeString(image, "rebuilt image content");
        Files.setLastModifiedTime(image, FileTime.fromMillis(Files.getLastModifiedTime(image).toMillis() + 5_000));
        String rebuilt = cache.base(image, RECIPE, SHAPE, writesADisk).orElseThrow().key();
        String newRecipe = cache.base(image, "2", SHAPE, writesADisk).orElseThrow().key();
        String newShape = cache.base(image, "2", "nocloud; uefi", writesADisk).orElseThrow().key();

        assertThat(List.of(first, rebuilt, newRecipe, newShape)).doesNotHaveDuplicates();
        assertThat(warmed).hasSize(4);
    }

    @Test
    void anImageWithoutCloudInitIsRecordedAndNeverBootedAgain() {
        FirstBootCache.WarmUp noCloudInit = (image, disk, key) -> {
            warmed.add(image);
            return Optional.of("it has no cloud-init");
        };

        assertThat(new FirstBootCache(cacheDir).base(image, RECIPE, SHAPE, noCloudInit)).isEmpty();
        assertThat(new FirstBootCache(cacheDir).base(image, RECIPE, SHAPE, noCloudInit)).isEmpty();

        assertThat(warmed).hasSize(1);
        assertThat(entries()).singleElement().satisfies(entry -> {
            assertThat(entry.resolve("not-warmable.txt")).content().contains("reason: it has no cloud-init");
            assertThat(entry.resolve("base.qcow2")).doesNotExist();
        });
        assertThat(leftovers()).isEmpty();
    }

    @Test
    void aFailedWarmUpKeepsNothingIsNotRetriedInThisRunAndIsRetriedInTheNext() {
        FirstBootCache.WarmUp fails = (image, disk, key) -> {
            warmed.add(image);
            write(disk, "half a disk");
            throw new IllegalStateException("the warm-up guest did not power off");
        };
        FirstBootCache cache = new FirstBootCache(cacheDir);

        assertThat(cache.base(image, RECIPE, SHAPE, fails)).isEmpty();
        assertThat(cache.base(image, RECIPE, SHAPE, fails)).isEmpty();
        assertThat(warmed).hasSize(1);
        assertThat(entries()).singleElement().satisfies(entry -> assertThat(entry.resolve("base.qcow2")).doesNotExist());
        assertThat(leftovers()).isEmpty();

        assertThat(new FirstBootCache(cacheDir).base(image, RECIPE, SHAPE, writesADisk)).isPresent();
        assertThat(warmed).hasSize(2);
    }

    @Test
    void twoGuestsOfOneImageAtOnceWarmItOnceAndTheSecondWaitsForTheBase() throws Exception {
        CountDownLatch warming = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        FirstBootCache.WarmUp slow = (image, disk, key) -> {
            warming.countDown();
            await(release);
            return writesADisk.warm(image, disk, key);
        };
        CompletableFuture<Optional<FirstBootCache.WarmBase>> first = CompletableFuture.supplyAsync(
                () -> new FirstBootCache(cacheDir).base(image, RECIPE, SHAPE, slow));
        await(warming);
        CompletableFuture<Optional<FirstBootCache.WarmBase>> second = CompletableFuture.supplyAsync(
                () -> new FirstBootCache(cacheDir).base(image, RECIPE, SHAPE, slow));

        assertThat(second).isNotDone();
        release.countDown();

        assertThat(first.get(30, TimeUnit.SECONDS)).isPresent();
        assertThat(second.get(30, TimeUnit.SECONDS)).isEqualTo(first.get());
        assertThat(warmed).hasSize(1);
    }

    private List<Path> entries() {
        try (Stream<Path> entries = Files.list(cacheDir.resolve("images/warm"))) {
            return entries.toList();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private List<Path> leftovers() {
        try (Stream<Path> files = Files.walk(cacheDir)) {
            return files.filter(p -> p.getFileName().toString().startsWith(".part-")).toList();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static void write(Path file, String content) {
        try {
            Files.writeString(file, content);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            assertThat(latch.await(30, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
