package dev.virtunit.bench;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BenchSettingsTest {

    @Test
    void readsEverySetting() {
        Properties properties = properties("bench.n", "1, 2,4", "bench.runs", "3", "bench.parallel.runs", "0",
                "bench.modes", "restored", "bench.baseline", "/b/topology.sh", "bench.out", "/out");

        BenchSettings settings = BenchSettings.from(properties);

        assertThat(settings).isEqualTo(new BenchSettings(List.of(1, 2, 4), 3, 0, List.of(Tool.RESTORED),
                Path.of("/img/tiny.qcow2"), Path.of("/b/topology.sh"), Path.of("/out")));
        assertThat(settings.restored()).isTrue();
    }

    @Test
    void theDefaultsAreTheIssuesPoints() {
        BenchSettings settings = BenchSettings.from(properties());

        assertThat(settings.ns()).containsExactly(1, 2, 4, 8, 16);
        assertThat(settings.runs()).isEqualTo(5);
        assertThat(settings.parallelRuns()).isEqualTo(3);
        assertThat(settings.tools()).containsExactly(Tool.BASELINE, Tool.VIRTUNIT, Tool.RESTORED);
    }

    @Test
    void coldIsVirtunitAgainstTheBaselineAndTheOrderGivenDoesNotMatter() {
        assertThat(BenchSettings.from(properties("bench.modes", "cold")).tools())
                .containsExactly(Tool.BASELINE, Tool.VIRTUNIT);
        assertThat(BenchSettings.from(properties("bench.modes", "cold")).restored()).isFalse();
        assertThat(BenchSettings.from(properties("bench.modes", "restored, cold")).tools())
                .containsExactly(Tool.BASELINE, Tool.VIRTUNIT, Tool.RESTORED);
    }

    @Test
    void aModeThatIsNeitherColdNorRestoredIsRefusedWithAnExample() {
        assertThatThrownBy(() -> BenchSettings.from(properties("bench.modes", "cold,warm")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bench.modes=cold,warm: 'warm' is neither cold (virtunit booting its guests, against the "
                        + "plain script) nor restored (virtunit restoring them from a saved template); "
                        + "e.g. -Dbench.modes=cold,restored");
    }

    @Test
    void aGuestCountThatIsNoCountIsRefusedWithAnExample() {
        assertThatThrownBy(() -> BenchSettings.from(properties("bench.n", "1,x")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bench.n=1,x: 'x' is not a guest count from 1 to 64; give counts separated by commas, "
                        + "e.g. -Dbench.n=1,2,4");
        assertThatThrownBy(() -> BenchSettings.from(properties("bench.n", "0"))).hasMessageContaining("'0'");
        assertThatThrownBy(() -> BenchSettings.from(properties("bench.n", "65"))).hasMessageContaining("'65'");
        assertThatThrownBy(() -> BenchSettings.from(properties("bench.n", "2,2"))).hasMessageContaining("twice");
    }

    @Test
    void runsMustBeAtLeastOne() {
        assertThatThrownBy(() -> BenchSettings.from(properties("bench.runs", "0")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bench.runs=0 is not a whole number of at least 1; e.g. -Dbench.runs=5");
    }

    @Test
    void withoutAnImageItSaysWhereTheTinyImageComesFrom() {
        Properties properties = properties();
        properties.remove("virtunit.testImage");

        assertThatThrownBy(() -> BenchSettings.from(properties)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("virtunit.testImage is not set").hasMessageContaining("scripts/build-test-image");
    }

    private static Properties properties(String... keysAndValues) {
        Properties properties = new Properties();
        properties.setProperty("virtunit.testImage", "/img/tiny.qcow2");
        for (int i = 0; i < keysAndValues.length; i += 2) {
            properties.setProperty(keysAndValues[i], keysAndValues[i + 1]);
        }
        return properties;
    }
}
