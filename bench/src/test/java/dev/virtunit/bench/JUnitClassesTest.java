package dev.virtunit.bench;

import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.LauncherDiscoveryRequest;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JUnitClassesTest {

    @Test
    void concurrentMeansClassesSideBySideEachClassOnOneThread() {
        LauncherDiscoveryRequest request = new JUnitClasses(List.of(Passes.class, Fails.class)).request(true);

        assertThat(request.getConfigurationParameters().get("junit.jupiter.execution.parallel.enabled")).contains("true");
        assertThat(request.getConfigurationParameters().get("junit.jupiter.execution.parallel.mode.classes.default"))
                .contains("concurrent");
        assertThat(request.getConfigurationParameters().get("junit.jupiter.execution.parallel.mode.default"))
                .contains("same_thread");
        assertThat(request.getConfigurationParameters().get("junit.jupiter.execution.parallel.config.fixed.parallelism"))
                .contains("2");
    }

    @Test
    void oneAfterAnotherTurnsParallelExecutionOff() {
        LauncherDiscoveryRequest request = new JUnitClasses(List.of(Passes.class)).request(false);

        assertThat(request.getConfigurationParameters().get("junit.jupiter.execution.parallel.enabled")).contains("false");
    }

    @Test
    void passingClassesGiveTheirWallTime() {
        ParallelClassesRun run = new JUnitClasses(List.of(Passes.class, AlsoPasses.class)).run(true, 2);

        assertThat(run.parallel()).isTrue();
        assertThat(run.run()).isEqualTo(2);
        assertThat(run.seconds()).isPositive();
    }

    @Test
    void aFailingClassFailsTheMeasurementWithJUnitsReport() {
        JUnitClasses classes = new JUnitClasses(List.of(Passes.class, Fails.class));

        assertThatThrownBy(() -> classes.run(false, 1)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("did not all pass: 1 of 2 tests passed")
                .hasMessageContaining("deliberately");
    }

    static class Passes {
        @Test
        void passes() {
        }
    }

    static class AlsoPasses {
        @Test
        void passes() {
        }
    }

    static class Fails {
        @Test
        void fails() {
            throw new AssertionError("fails deliberately");
        }
    }
}
