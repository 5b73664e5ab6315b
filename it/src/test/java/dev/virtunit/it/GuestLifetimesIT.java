package dev.virtunit.it;

import dev.virtunit.Guest;
import dev.virtunit.junit.LibvirtGuest;
import dev.virtunit.junit.LibvirtTest;
import dev.virtunit.internal.host.Command;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A static field lives for the class, an instance field for one test, a parameter for one test; {@code @Nested}
 * classes see their enclosing class's guests. Counted through {@code virsh list}, not through our own bookkeeping.
 */
@LibvirtTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GuestLifetimesIT {

    @LibvirtGuest(image = "${virtunit.testImage}")
    static Guest shared;

    @LibvirtGuest(image = "${virtunit.testImage}")
    Guest perTest;

    private static final List<String> perTestNames = new ArrayList<>();

    @Test
    @Order(1)
    void staticAndInstanceGuestsBothRun() {
        perTestNames.add(perTest.name());
        assertThat(shared.name()).isNotEqualTo(perTest.name());
        assertThat(runningDomains()).contains(shared.name(), perTest.name());
        assertThat(perTest.ssh().exec("hostname").stdout().strip()).isEqualTo(perTest.name());
    }

    @Test
    @Order(2)
    void eachTestGetsAFreshInstanceGuestAndTheLastOneIsGone(@LibvirtGuest(image = "${virtunit.testImage}") Guest parameter) {
        perTestNames.add(perTest.name());
        assertThat(perTest.name()).isNotEqualTo(perTestNames.get(0));
        assertThat(allDomains()).doesNotContain(perTestNames.get(0));
        assertThat(runningDomains()).contains(shared.name(), perTest.name(), parameter.name());
        assertThat(parameter.ssh().exec("true").exitCode()).isZero();
        perTestNames.add(parameter.name());
    }

    @Test
    @Order(3)
    void theParameterGuestOfTheLastTestIsGone() {
        assertThat(allDomains()).doesNotContain(perTestNames.get(1), perTestNames.get(2)).contains(shared.name());
        perTestNames.add(perTest.name());
    }

    @Nested
    class InANestedClass {
        @Test
        void theEnclosingClassesGuestsAreThere() {
            assertThat(shared.ssh().exec("true").exitCode()).isZero();
            assertThat(perTest.ssh().exec("true").exitCode()).isZero();
            perTestNames.add(perTest.name());
        }
    }

    @AfterAll
    static void onlyTheClassGuestRemainsUntilTheClassEnds() {
        List<String> all = allDomains();
        assertThat(all).contains(shared.name());
        assertThat(all).doesNotContainAnyElementsOf(perTestNames);
    }

    static List<String> allDomains() {
        return virshList("--all");
    }

    static List<String> runningDomains() {
        return virshList("--state-running");
    }

    private static List<String> virshList(String filter) {
        return Command.check(Duration.ofSeconds(30), "virsh", "-c", "qemu:///system", "list", filter, "--name")
                .stdout().lines().filter(line -> !line.isBlank()).toList();
    }
}
