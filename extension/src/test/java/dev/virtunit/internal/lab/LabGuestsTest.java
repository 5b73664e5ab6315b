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
}
