package dev.virtunit.internal.image;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** An image build at INFO: one line per interval with the time and the build's latest line, then a closing line. */
class ImageBuildProgressTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void oneLinePerIntervalWithTheLatestOutputNotOnePerLine() {
        ImageBuildProgress progress = new ImageBuildProgress("virtunit:tiny", 0, Duration.ofSeconds(15));

        assertThat(progress.advance("I: Retrieving InRelease", 2 * SECOND)).isEmpty();
        assertThat(progress.advance("I: Validating busybox", 14 * SECOND)).isEmpty();
        assertThat(progress.advance("I: Extracting linux-image", 16 * SECOND))
                .contains("building virtunit:tiny (16 s so far): I: Extracting linux-image");
        assertThat(progress.advance("I: Configuring", 20 * SECOND)).isEmpty();
        // A blank line says nothing new: the latest real line is shown.
        assertThat(progress.advance("   ", 31 * SECOND)).contains("building virtunit:tiny (31 s so far): I: Configuring");
        assertThat(progress.finished(83_250_000_000L)).isEqualTo("built virtunit:tiny in 83.3 s");
    }

    @Test
    void nothingButBlankLinesSaysNothing() {
        ImageBuildProgress progress = new ImageBuildProgress("x", 0, Duration.ofSeconds(1));

        assertThat(progress.advance("", 5 * SECOND)).isEmpty();
    }
}
