package dev.virtunit.internal.image;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;

/** Progress lines: at each tenth of a large known size, at least every interval, and a closing line. */
class DownloadProgressTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void aSizedDownloadSaysEachTenthWithSizeAndRate() {
        DownloadProgress progress = new DownloadProgress("http://h/d.qcow2", OptionalLong.of(100_000_000), 0, Duration.ofSeconds(5));
        List<String> lines = new ArrayList<>();
        for (long bytes = 1_000_000; bytes <= 100_000_000; bytes += 1_000_000) {
            progress.advance(bytes, bytes / 1_000_000 * SECOND / 10).ifPresent(lines::add);   // 10 MB/s
        }

        assertThat(lines).hasSize(9);
        assertThat(lines.get(0)).isEqualTo("downloading http://h/d.qcow2: 10% (10.0 MB of 100.0 MB, 10.0 MB/s)");
        assertThat(lines.get(8)).startsWith("downloading http://h/d.qcow2: 90% (90.0 MB");
        assertThat(progress.finished(100_000_000, 10 * SECOND)).isEqualTo("downloaded http://h/d.qcow2: 100.0 MB in 10.0 s (10.0 MB/s)");
    }

    @Test
    void aSlowOrUnsizedDownloadSaysEveryIntervalThatItIsAlive() {
        DownloadProgress unsized = new DownloadProgress("u", OptionalLong.empty(), 0, Duration.ofSeconds(5));

        assertThat(unsized.advance(1_000, 4 * SECOND)).isEmpty();
        assertThat(unsized.advance(2_500_000, 5 * SECOND)).contains("downloading u: 2.5 MB (500.0 KB/s)");
        assertThat(unsized.advance(3_000_000, 9 * SECOND)).isEmpty();
        assertThat(unsized.advance(3_000_000, 10 * SECOND)).isPresent();

        DownloadProgress slow = new DownloadProgress("s", OptionalLong.of(1_000_000_000), 0, Duration.ofSeconds(5));
        assertThat(slow.advance(1_000_000, 5 * SECOND)).contains("downloading s: 0% (1.0 MB of 1.0 GB, 200.0 KB/s)");
    }

    @Test
    void aFastDownloadSaysAtMostOneLineASecond() {
        DownloadProgress fast = new DownloadProgress("f", OptionalLong.of(500_000_000), 0, Duration.ofSeconds(5));
        List<String> lines = new ArrayList<>();
        for (long bytes = 10_000_000; bytes <= 500_000_000; bytes += 10_000_000) {
            fast.advance(bytes, bytes * SECOND / 250_000_000).ifPresent(lines::add);   // 250 MB/s: 2 s in all
        }

        assertThat(lines).containsExactly("downloading f: 50% (250.0 MB of 500.0 MB, 250.0 MB/s)");
    }

    @Test
    void aSmallDownloadSaysOnlyThatItFinished() {
        DownloadProgress small = new DownloadProgress("x", OptionalLong.of(300_000), 0, Duration.ofSeconds(5));

        assertThat(small.advance(150_000, SECOND / 100)).isEmpty();
        assertThat(small.advance(300_000, SECOND / 50)).isEmpty();
        assertThat(DownloadProgress.size(812)).isEqualTo("812 B");
        assertThat(DownloadProgress.size(466_000_000)).isEqualTo("466.0 MB");
    }
}
