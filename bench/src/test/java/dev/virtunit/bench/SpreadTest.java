package dev.virtunit.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SpreadTest {

    @Test
    void anOddCountHasItsMiddleValueAsMedian() {
        assertThat(Spread.of(List.of(5.0, 1.0, 3.0, 9.0, 4.0))).isEqualTo(new Spread(4.0, 1.0, 9.0, 5));
    }

    @Test
    void anEvenCountHasTheMeanOfItsTwoMiddleValuesAsMedian() {
        assertThat(Spread.of(List.of(4.0, 1.0, 3.0, 10.0))).isEqualTo(new Spread(3.5, 1.0, 10.0, 4));
    }

    @Test
    void oneValueIsItsOwnMedianMinAndMax() {
        assertThat(Spread.of(List.of(2.5))).isEqualTo(new Spread(2.5, 2.5, 2.5, 1));
    }

    @Test
    void noValueIsRefused() {
        assertThatThrownBy(() -> Spread.of(List.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no measurements");
    }
}
