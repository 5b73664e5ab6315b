package dev.virtunit.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BaselineTopologyTest {

    private static final List<String> OUTPUT = List.of(
            "bench phase=provision seconds=0.412",
            "some other line the script printed",
            "bench phase=boot seconds=6.100",
            "bench rss guest=vu-1a2b3c-g1 kib=301234",
            "bench rss guest=vu-1a2b3c-g2 kib=299000",
            "bench phase=ping seconds=0.800",
            "bench phase=teardown seconds=0.300");

    @Test
    void readsEveryPhaseAndEachGuestsMemory() {
        TopologyRun run = BaselineTopology.parse(2, 3, OUTPUT);

        assertThat(run.tool()).isEqualTo(Tool.BASELINE);
        assertThat(run.n()).isEqualTo(2);
        assertThat(run.run()).isEqualTo(3);
        assertThat(run.secondsOf(Phase.PROVISION)).isEqualTo(0.412);
        assertThat(run.secondsOf(Phase.BOOT)).isEqualTo(6.1);
        assertThat(run.secondsOf(Phase.FIRST_ASSERTION)).isEqualTo(0.8);
        assertThat(run.secondsOf(Phase.TEARDOWN)).isEqualTo(0.3);
        assertThat(run.qemuRssKib()).containsExactly(301234L, 299000L);
    }

    @Test
    void aMissingPhaseIsNamed() {
        List<String> noTeardown = OUTPUT.subList(0, OUTPUT.size() - 1);

        assertThatThrownBy(() -> BaselineTopology.parse(2, 1, noTeardown)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("has no time for phase teardown");
    }

    @Test
    void fewerMemoryFiguresThanGuestsAreRefused() {
        assertThatThrownBy(() -> BaselineTopology.parse(3, 1, OUTPUT)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("memory of 2 guests, not of the 3 it was asked for");
    }

    @Test
    void aFigureThatIsNoNumberIsRefused() {
        assertThatThrownBy(() -> BaselineTopology.parse(1, 1, List.of("bench phase=boot seconds=6,1")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("the baseline printed a figure that is no number: 'bench phase=boot seconds=6,1'");
    }

    @Test
    void anUnknownPhaseOrLineIsRefused() {
        assertThatThrownBy(() -> BaselineTopology.parse(1, 1, List.of("bench phase=warmup seconds=1")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown phase 'warmup'");
        assertThatThrownBy(() -> BaselineTopology.parse(1, 1, List.of("bench something=1")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("no known kind");
        assertThatThrownBy(() -> BaselineTopology.parse(1, 1, List.of("bench phase=boot")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("has no seconds=");
    }

    @Test
    void aScriptThatFailsIsReportedWithItsExitCode(@TempDir Path dir) throws Exception {
        Path script = Files.writeString(dir.resolve("fails.sh"), "echo 'bench phase=provision seconds=0.1'; echo 'cannot start' >&2; exit 3\n");

        assertThatThrownBy(() -> new BaselineTopology(script, dir.resolve("image.qcow2")).run(1, 1))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("failed with exit code 3")
                .hasMessageContaining("bench phase=provision seconds=0.1").hasMessageContaining("cannot start");
    }

    @Test
    void theRealScriptRefusesAGuestCountOutOfRangeBeforeTouchingAnything() throws Exception {
        Process process = new ProcessBuilder("bash", "baseline/topology.sh", "0").redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());

        assertThat(process.waitFor()).isEqualTo(2);
        assertThat(output).contains("usage: topology.sh N [IMAGE]");
    }
}
