package dev.virtunit.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TimePlotTest {

    @TempDir
    Path dir;

    @Test
    void writesAPngOfTheSizeAskedForWithBothToolsDrawn() throws Exception {
        BenchResults results = Runs.results(List.of(
                Runs.total(Tool.VIRTUNIT, 1, 1, 10), Runs.total(Tool.BASELINE, 1, 1, 9),
                Runs.total(Tool.VIRTUNIT, 2, 1, 14), Runs.total(Tool.BASELINE, 2, 1, 12),
                Runs.total(Tool.VIRTUNIT, 4, 1, 25), Runs.total(Tool.BASELINE, 4, 1, 22)));
        Path file = dir.resolve("sub/plot.png");

        new TimePlot(results).writePng(file, 900, 560);

        BufferedImage image = ImageIO.read(file.toFile());
        assertThat(image.getWidth()).isEqualTo(900);
        assertThat(image.getHeight()).isEqualTo(560);
        assertThat(countPixels(image, 0x1f77b4)).as("virtunit's blue").isPositive();
        assertThat(countPixels(image, 0xd62728)).as("the baseline's red").isPositive();
        assertThat(countPixels(image, 0x2ca02c)).as("no restored guests, no green").isZero();
    }

    @Test
    void restoredGuestsAreDrawnInGreen() throws Exception {
        BenchResults results = Runs.results(List.of(
                Runs.total(Tool.VIRTUNIT, 1, 1, 10), Runs.total(Tool.BASELINE, 1, 1, 9), Runs.total(Tool.RESTORED, 1, 1, 3),
                Runs.total(Tool.VIRTUNIT, 2, 1, 14), Runs.total(Tool.BASELINE, 2, 1, 12), Runs.total(Tool.RESTORED, 2, 1, 4)));
        Path file = dir.resolve("restored.png");

        new TimePlot(results).writePng(file, 900, 560);

        assertThat(countPixels(ImageIO.read(file.toFile()), 0x2ca02c)).as("virtunit restored's green").isPositive();
    }

    @Test
    void onePointStillMakesAPlot() throws Exception {
        Path file = dir.resolve("one.png");

        new TimePlot(Runs.results(List.of(Runs.total(Tool.VIRTUNIT, 1, 1, 10)))).writePng(file, 300, 200);

        assertThat(ImageIO.read(file.toFile()).getWidth()).isEqualTo(300);
    }

    @Test
    void aPlotWithNoRoomForItsAxesIsRefused() {
        TimePlot plot = new TimePlot(Runs.results(List.of(Runs.total(Tool.VIRTUNIT, 1, 1, 10))));

        assertThatThrownBy(() -> plot.writePng(dir.resolve("tiny.png"), 100, 50))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 300x200");
    }

    @Test
    void theAxisEndsAtARoundNumber() {
        assertThat(TimePlot.niceCeiling(7.3)).isEqualTo(10);
        assertThat(TimePlot.niceCeiling(13)).isEqualTo(20);
        assertThat(TimePlot.niceCeiling(41)).isEqualTo(50);
        assertThat(TimePlot.niceCeiling(100)).isEqualTo(100);
        assertThat(TimePlot.niceCeiling(101)).isEqualTo(200);
    }

    private static long countPixels(BufferedImage image, int rgb) {
        long count = 0;
        for (int x = 0; x < image.getWidth(); x++) {
            for (int y = 0; y < image.getHeight(); y++) {
                if ((image.getRGB(x, y) & 0xffffff) == rgb) {
                    count++;
                }
            }
        }
        return count;
    }
}
