package dev.virtunit.examples;

import dev.virtunit.Guest;
import dev.virtunit.GuestSpec;
import dev.virtunit.Lab;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.virtunit.assertions.VirtunitAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * For a topology computed at run time: build guests in code. A {@link Lab} is the same thing the annotations use,
 * and closing it removes everything it made.
 */
class GuestsInCodeExample {

    @Test
    void twoGuestsBuiltInALoopReachEachOther() {
        Path image = Path.of(System.getProperty("virtunit.testImage"));
        try (Lab lab = Lab.start()) {
            List<Guest> nodes = new ArrayList<>();
            for (int i = 1; i <= 2; i++) {
                nodes.add(lab.guest(GuestSpec.builder().name("vu-" + lab.runId() + "-node" + i).image(image).build()));
            }

            assertThat(nodes.get(0).ping(nodes.get(1).address())).isReachable().hasNoLoss();
            assertThat(nodes.get(1).ssh().exec("hostname")).succeeded().hasStdout(nodes.get(1).name());
        }
    }
}
