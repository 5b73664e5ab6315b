package dev.virtunit.internal.image;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cache-entry protocol both image caches share, on its own: found entries are not prepared again, a killed
 * preparation's temporaries are removed first, an unsuitable image is recorded for later runs, and a failure is not
 * retried in the same cache's life but is in the next.
 */
class PreparedEntriesTest {

    private static final String MARKER = "not-suitable.txt";

    @TempDir
    Path dir;
    private final AtomicInteger preparations = new AtomicInteger();

    private PreparedEntries<Path> entries() {
        return new PreparedEntries<>(dir.resolve("entries"), "test entry", MARKER, (entry, key) -> {
            Path file = entry.resolve("done");
            return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
        });
    }

    private PreparedEntries.Prepared<Path> writesDone(Path entry) throws IOException {
        preparations.incrementAndGet();
        return new PreparedEntries.Ready<>(Files.writeString(entry.resolve("done"), "x"));
    }

    @Test
    void anEntryIsPreparedOnceAndFoundByLaterCaches() {
        PreparedEntries.Outcome<Path> first = entries().obtain("k1", dir.resolve("image"), this::writesDone);
        PreparedEntries.Outcome<Path> later = entries().obtain("k1", dir.resolve("image"), this::writesDone);

        assertThat(first.value()).contains(dir.resolve("entries/k1/done"));
        assertThat(later).isEqualTo(first);
        assertThat(preparations).hasValue(1);
    }

    @Test
    void temporariesOfAKilledPreparationAreRemovedBeforeTheNextOne() throws IOException {
        Path entry = Files.createDirectories(dir.resolve("entries/k1"));
        Path leftover = Files.writeString(entry.resolve(CacheFiles.TEMPORARY_PREFIX + "123.qcow2"), "half");

        entries().obtain("k1", dir.resolve("image"), this::writesDone);

        assertThat(leftover).doesNotExist();
        assertThat(entry.resolve("done")).exists();
    }

    @Test
    void anUnsuitableImageIsRecordedAndNotTriedAgainByLaterRuns() {
        PreparedEntries.Outcome<Path> first = entries().obtain("k1", dir.resolve("image"), entry -> {
            preparations.incrementAndGet();
            return new PreparedEntries.Unsuitable<>("it has no cloud-init");
        });
        PreparedEntries.Outcome<Path> later = entries().obtain("k1", dir.resolve("image"), this::writesDone);

        assertThat(first.value()).isEmpty();
        assertThat(first.whyNot()).contains("it has no cloud-init").contains(MARKER);
        assertThat(dir.resolve("entries/k1").resolve(MARKER)).content().contains("reason: it has no cloud-init");
        assertThat(later.value()).isEmpty();
        assertThat(later.whyNot()).contains("recorded as unable to have a test entry").contains("delete that file");
        assertThat(preparations).hasValue(1);
    }

    @Test
    void aFailureIsNotRetriedInTheSameCacheButIsInTheNext() {
        PreparedEntries<Path> cache = entries();
        PreparedEntries.Outcome<Path> failed = cache.obtain("k1", dir.resolve("image"), entry -> {
            preparations.incrementAndGet();
            throw new IllegalStateException("the guest did not come up");
        });
        PreparedEntries.Outcome<Path> sameRun = cache.obtain("k1", dir.resolve("image"), this::writesDone);
        PreparedEntries.Outcome<Path> nextRun = entries().obtain("k1", dir.resolve("image"), this::writesDone);

        assertThat(failed.whyNot()).contains("preparing its test entry failed").contains("the guest did not come up");
        assertThat(sameRun.value()).isEmpty();
        assertThat(sameRun.whyNot()).contains("failed earlier in this run");
        assertThat(nextRun.value()).isPresent();
        assertThat(preparations).hasValue(2);
        assertThat(dir.resolve("entries/k1").resolve(MARKER)).doesNotExist();
    }
}
