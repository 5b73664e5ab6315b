package dev.virtunit;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Link conditions become netem's arguments, and impossible ones are refused with the rule. */
class LinkConditionsTest {

    @Test
    void eachConditionBecomesItsNetemArguments() {
        assertThat(LinkConditions.delay(Duration.ofMillis(200)).withJitter(Duration.ofMillis(20)).withLoss(30)
                .withRate(1000).netemArguments())
                .containsExactly("delay", "200ms", "20ms", "loss", "30%", "rate", "1000kbit");
        assertThat(LinkConditions.loss(0.5).netemArguments()).containsExactly("loss", "0.5%");
        assertThat(LinkConditions.delay(Duration.ofNanos(1_500_000)).netemArguments()).containsExactly("delay", "1500us");
        assertThat(LinkConditions.none().netemArguments()).isEmpty();
        assertThat(LinkConditions.loss(100)).hasToString("netem loss 100%").isEqualTo(LinkConditions.loss(100));
    }

    @Test
    void impossibleConditionsAreRefused() {
        assertThatThrownBy(() -> LinkConditions.loss(101))
                .hasMessage("link loss must be a percentage from 0 to 100, not 101.0");
        assertThatThrownBy(() -> LinkConditions.none().withJitter(Duration.ofMillis(5)))
                .hasMessage("link jitter PT0.005S needs a delay to vary around; add one: LinkConditions.delay(...).withJitter(...)");
        assertThatThrownBy(() -> LinkConditions.delay(Duration.ofMillis(-1))).hasMessageStartingWith("link delay and jitter");
        assertThatThrownBy(() -> LinkConditions.rate(-1)).hasMessageStartingWith("link rate must be positive");
    }
}
