package dev.virtunit.internal.lab;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Run ids never repeat one that a run record still holds. */
class RunIdTest {

    @Test
    void anIdThatARecordHoldsIsDrawnAgain() {
        List<String> asked = new ArrayList<>();

        String run = Names.newRunId(id -> {
            asked.add(id);
            return asked.size() < 3; // the first two draws collide with records on disk
        });

        assertThat(asked).hasSize(3);
        assertThat(run).isEqualTo(asked.get(2)).matches("[0-9a-f]{6}");
    }
}
