package dev.virtunit.internal.lab;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;

/** A report item that hangs or throws is noted in the index and never holds up or fails the report. */
class EvidenceFolderTest {

    @TempDir
    Path dir;

    @Test
    void writtenItemsAreListedAndFailuresNotedWithTheirCause() {
        EvidenceFolder folder = new EvidenceFolder(dir, Duration.ofSeconds(30));

        assertThat(folder.text("a/ok.txt", "what ok is", Duration.ofSeconds(5), () -> "fine\n")).isTrue();
        assertThat(folder.text("a/bad.txt", "what bad is", Duration.ofSeconds(5), () -> {
            throw new IllegalStateException("no such bridge\nsecond line");
        })).isFalse();
        Path index = folder.writeIndex(List.of("# heading"));

        assertThat(dir.resolve("a/ok.txt")).hasContent("fine");
        assertThat(dir.resolve("a/bad.txt")).doesNotExist();
        assertThat(index).content().isEqualTo("""
                # heading

                ## What is where

                - `a/ok.txt`: what ok is

                ## Not written

                - `a/bad.txt`: not written: IllegalStateException: no such bridge second line (what bad is)
                """);
    }

    @Test
    void aHangingItemIsAbandonedAtItsBound() throws InterruptedException {
        EvidenceFolder folder = new EvidenceFolder(dir, Duration.ofSeconds(30));
        CountDownLatch never = new CountDownLatch(1);
        Instant start = Instant.now();

        boolean written = folder.text("hangs.txt", "an SSH login that hangs", Duration.ofMillis(300), () -> {
            never.await();
            return "";
        });

        assertThat(written).isFalse();
        assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(5));
        assertThat(folder.writeIndex(List.of())).content()
                .contains("- `hangs.txt`: not written: took longer than 300 ms (an SSH login that hangs)");
    }

    @Test
    void onceTheBudgetIsUsedUpTheRestIsSkipped() {
        EvidenceFolder folder = new EvidenceFolder(dir, Duration.ofMillis(200));
        CountDownLatch never = new CountDownLatch(1);
        folder.text("slow.txt", "slow", Duration.ofSeconds(5), () -> {
            never.await();
            return "";
        });

        assertThat(folder.text("next.txt", "next", Duration.ofSeconds(5), () -> "x")).isFalse();

        assertThat(folder.writeIndex(List.of())).content().contains("- `slow.txt`: not written: took longer than ",
                "- `next.txt`: skipped: the report's time budget was used up");
    }
}
