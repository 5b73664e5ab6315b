package dev.virtunit.internal.lab;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A step beside the caller's: its result, its failure thrown as it was, and waiting for it whatever its outcome. */
class SideTaskTest {

    @Test
    void joinGivesTheStepsResultFromAThreadOfItsOwn() {
        SideTask<String> task = SideTask.start("virtunit-test-side", () -> Thread.currentThread().getName());

        assertThat(task.join()).isEqualTo("virtunit-test-side");
        assertThat(task.settle()).isEmpty();
    }

    @Test
    void joinThrowsTheStepsOwnFailureAndSettleReturnsIt() {
        IllegalStateException refused = new IllegalStateException("nft: syntax error");
        SideTask<Void> task = SideTask.start("virtunit-test-side", () -> {
            throw refused;
        });

        assertThatThrownBy(task::join).isSameAs(refused);
        assertThat(task.settle()).isEqualTo(Optional.of(refused));
    }

    @Test
    void anErrorIsThrownAsItWasToo() {
        AssertionError fakeRefused = new AssertionError("command not modelled");
        SideTask<Void> task = SideTask.start("virtunit-test-side", () -> {
            throw fakeRefused;
        });

        assertThatThrownBy(task::join).isSameAs(fakeRefused);
        assertThat(task.settle()).contains(fakeRefused);
    }
}
