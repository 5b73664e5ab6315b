package dev.virtunit.internal.lab;

import dev.virtunit.Guest;
import dev.virtunit.GuestNotReadyException;
import dev.virtunit.GuestSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code Lab.guests(...)}: every guest is defined before any is awaited, and a failure removes them all. */
class LabGuestsTest {

    @TempDir
    Path work;

    private final FakeHypervisor hypervisor = new FakeHypervisor();
    private LabSession lab;
    private GuestSpec spec;

    @BeforeEach
    void startLab() {
        lab = FakeLab.start(work.resolve("state"), hypervisor);
        spec = GuestSpec.builder().image(FakeLab.blankImage(work, "tiny.qcow2")).awaitSsh(false).build();
    }

    @AfterEach
    void closeLab() {
        lab.close();
    }

    @Test
    void noGuestIsReadyBeforeAllAreDefined() {
        // Readiness of each guest holds until all three domains exist: one guest after another (create, await, create)
        // would never get there, and the first guest's readiness would time out.
        lab.readiness(guest -> {
            await("all three domains defined").atMost(Duration.ofSeconds(10))
                    .until(() -> hypervisor.domainNames().size() == 3);
            FakeLab.readyWithoutNetwork(guest);
        });

        List<Guest> guests = lab.guests(List.of(spec, spec, spec));

        assertThat(guests).extracting(Guest::name)
                .containsExactly("vu-" + lab.runId() + "-guest", "vu-" + lab.runId() + "-guest-2", "vu-" + lab.runId() + "-guest-3");
    }

    @Test
    void oneGuestThatIsNeverReadyRemovesEveryGuestOfTheCall() {
        lab.readiness(guest -> {
            if (guest.name().endsWith("-2")) {
                throw new GuestNotReadyException("guest " + guest.name() + " never answered", null);
            }
            FakeLab.readyWithoutNetwork(guest);
        });

        assertThatThrownBy(() -> lab.guests(List.of(spec, spec, spec)))
                .isInstanceOf(GuestNotReadyException.class).hasMessageContaining("-guest-2 never answered");

        assertThat(hypervisor.domainNames()).as("domains left after the failed call").isEmpty();
        assertThat(lab.guests()).as("guests the lab still holds").isEmpty();
    }

    @Test
    void guestsRemovedTogetherAreAllDestroyedBeforeAnyIsUndefinedAndEachIsRemovedDespiteFailures() {
        lab.readiness(FakeLab::readyWithoutNetwork);
        List<Guest> guests = lab.guests(List.of(spec, spec, spec));
        hypervisor.calls.clear();
        hypervisor.failOn = "undefineDomain";

        assertThatThrownBy(() -> lab.remove(guests)).hasMessageContaining("teardown failed in 3 step(s)");

        List<String> calls = List.copyOf(hypervisor.calls);
        int firstUndefine = calls.indexOf("undefineDomain " + guests.get(2).name());
        assertThat(calls.subList(0, firstUndefine)).as("before the first undefine").containsSubsequence(
                guests.stream().map(guest -> "destroyDomain " + guest.name()).toArray(String[]::new));
        // newest first, each removed whatever happened to the one before
        assertThat(calls).filteredOn(call -> call.startsWith("undefineDomain")).containsExactly(
                "undefineDomain " + guests.get(2).name(), "undefineDomain " + guests.get(1).name(),
                "undefineDomain " + guests.get(0).name());
        assertThat(calls).filteredOn(call -> call.startsWith("deleteVolume")).hasSize(3);
        assertThat(lab.guests()).as("guests the lab still holds").isEmpty();
        hypervisor.failOn = "";
    }
}
