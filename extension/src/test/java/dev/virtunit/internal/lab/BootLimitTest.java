package dev.virtunit.internal.lab;

import dev.virtunit.Acceleration;
import dev.virtunit.CleanupMode;
import dev.virtunit.GuestSpec;
import dev.virtunit.LabConfig;
import dev.virtunit.observe.GuestState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The lab's boot limit wired through {@code LabSession.create}: a queued guest's domain is defined, not started. */
class BootLimitTest {

    @TempDir
    Path stateDir;
    @TempDir
    Path images;

    private final FakeHypervisor hypervisor = new FakeHypervisor();
    private final Map<String, CountDownLatch> readyGates = new ConcurrentHashMap<>();
    private LabSession lab;
    private GuestSpec spec;

    @BeforeEach
    void setUp() {
        spec = GuestSpec.builder().image(FakeLab.blankImage(images, "tiny.qcow2")).awaitSsh(false).build();
        lab = FakeLab.start(LabConfig.fromEnvironment().withStateDir(stateDir).withCacheDir(stateDir.resolve("cache"))
                .withAcceleration(Acceleration.TCG).withCleanup(CleanupMode.ALWAYS).withFirstBootCache(false)
                .withBootConcurrency(1), hypervisor);
        // A guest is ready when its test says so.
        lab.readiness(guest -> {
            try {
                readyGates.computeIfAbsent(guest.name(), name -> new CountDownLatch(1)).await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @AfterEach
    void close() {
        readyGates.values().forEach(CountDownLatch::countDown);
        lab.close();
    }

    private void ready(LabGuest guest) {
        readyGates.computeIfAbsent(guest.name(), name -> new CountDownLatch(1)).countDown();
    }

    @Test
    void aGuestBeyondTheLimitIsDefinedButStartsOnlyWhenTheFirstIsReady() {
        LabGuest first = lab.create(spec, "first");
        LabGuest second = lab.create(spec, "second");

        assertThat(hypervisor.domainState(first.name())).isEqualTo(GuestState.RUNNING);
        assertThat(hypervisor.domainState(second.name())).isEqualTo(GuestState.SHUT_OFF);
        assertThat(hypervisor.calls).doesNotContain("startDomain " + second.name());

        ready(first);
        first.awaitReady();
        await().atMost(Duration.ofSeconds(10)).until(() -> hypervisor.domainState(second.name()) == GuestState.RUNNING);
        ready(second);
        second.awaitReady();
        await().atMost(Duration.ofSeconds(10)).until(() -> lab.bootSlots().free() == 1);
    }

    @Test
    void removingABootingGuestLetsTheQueuedOneStart() {
        LabGuest first = lab.create(spec, "first");
        LabGuest second = lab.create(spec, "second");

        lab.remove(first);

        await().atMost(Duration.ofSeconds(10)).until(() -> hypervisor.domainState(second.name()) == GuestState.RUNNING);
        assertThat(hypervisor.domains).doesNotContainKey(first.name());
        ready(second);
        second.awaitReady();
    }

    @Test
    void aQueuedGuestRemovedBeforeItsTurnIsNeverStartedAndLeavesNothing() {
        LabGuest first = lab.create(spec, "first");
        LabGuest second = lab.create(spec, "second");

        lab.remove(second);
        ready(first);
        first.awaitReady();

        assertThatThrownBy(second::awaitReady).hasMessage("guest " + second.name()
                + " was removed while it waited for a boot slot");
        assertThat(hypervisor.calls).doesNotContain("startDomain " + second.name());
        assertThat(hypervisor.domains).containsOnlyKeys(first.name());
        await().atMost(Duration.ofSeconds(10)).until(() -> lab.bootSlots().free() == 1);
    }

    @Test
    void aQueuedGuestThatCannotStartHoldsNoSlotAndIsRemovedWithTheLab() {
        LabGuest first = lab.create(spec, "first");
        LabGuest second = lab.create(spec, "second");
        hypervisor.failOn = "startDomain";

        ready(first);
        first.awaitReady();

        assertThatThrownBy(second::awaitReady).hasMessageContaining("injected failure");
        await().atMost(Duration.ofSeconds(10)).until(() -> lab.bootSlots().free() == 1);
        hypervisor.failOn = "";
        lab.close();
        assertThat(hypervisor.everything()).isEmpty();
    }
}
