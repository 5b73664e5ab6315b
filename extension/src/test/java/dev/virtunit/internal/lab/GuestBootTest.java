package dev.virtunit.internal.lab;

import dev.virtunit.GuestNotReadyException;
import dev.virtunit.VirtunitException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** The boot limit alone: who starts when, and that every way a boot ends gives its slot back exactly once. */
class GuestBootTest {

    private final List<String> started = new CopyOnWriteArrayList<>();
    private final Map<String, CountDownLatch> readyGates = new ConcurrentHashMap<>();
    private final AtomicInteger mostBooting = new AtomicInteger();
    private final AutoCloseable watch = BootSlots.observe(new BootSlots.Observer() {
        @Override
        public void taken(String guest, int booting, int limit, Instant at) {
            mostBooting.accumulateAndGet(booting, Math::max);
        }

        @Override
        public void givenBack(String guest, int booting, int limit, Instant at) {
        }
    });

    @AfterEach
    void stopWatching() throws Exception {
        readyGates.values().forEach(CountDownLatch::countDown);
        watch.close();
    }

    private GuestBoot begin(BootSlots slots, String guest) {
        readyGates.put(guest, new CountDownLatch(1));
        return GuestBoot.begin(guest, slots, () -> started.add(guest), () -> awaitGate(guest));
    }

    private void awaitGate(String guest) {
        try {
            if (!readyGates.get(guest).await(30, TimeUnit.SECONDS)) {
                throw new GuestNotReadyException("test gate of " + guest + " never opened", null);
            }
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private void ready(String guest) {
        readyGates.get(guest).countDown();
    }

    @Test
    void atMostTheLimitBootAtOnceAndTheOthersStartInTheOrderTheyAsked() {
        BootSlots slots = new BootSlots(2);
        GuestBoot a = begin(slots, "a");
        GuestBoot b = begin(slots, "b");
        GuestBoot c = begin(slots, "c");
        GuestBoot d = begin(slots, "d");

        assertThat(started).containsExactly("a", "b");
        assertThat(slots.booting()).isEqualTo(2);

        ready("b");
        b.await();
        await().atMost(Duration.ofSeconds(10)).until(() -> started.size() == 3);
        assertThat(started).containsExactly("a", "b", "c");
        ready("a");
        a.await();
        await().atMost(Duration.ofSeconds(10)).until(() -> started.size() == 4);
        ready("c");
        ready("d");
        c.await();
        d.await();

        assertThat(started).containsExactly("a", "b", "c", "d");
        assertThat(mostBooting).hasValue(2);
        await().atMost(Duration.ofSeconds(10)).until(() -> slots.free() == 2);
        assertThat(slots.booting()).isZero();
    }

    @Test
    void aGuestThatFailsToStartAtOnceThrowsAndGivesItsSlotBack() {
        BootSlots slots = new BootSlots(1);

        assertThatThrownBy(() -> GuestBoot.begin("a", slots, () -> {
            throw new VirtunitException("cannot start domain 'a': injected");
        }, () -> { })).hasMessage("cannot start domain 'a': injected");

        assertThat(slots.free()).isEqualTo(1);
        assertThat(slots.booting()).isZero();
    }

    @Test
    void aQueuedGuestThatFailsToStartReportsItWhenAwaitedAndGivesItsSlotBack() {
        BootSlots slots = new BootSlots(1);
        GuestBoot a = begin(slots, "a");
        GuestBoot b = GuestBoot.begin("b", slots, () -> {
            throw new VirtunitException("cannot start domain 'b': injected");
        }, () -> { });

        ready("a");
        a.await();

        assertThatThrownBy(b::await).hasMessage("cannot start domain 'b': injected");
        await().atMost(Duration.ofSeconds(10)).until(() -> slots.free() == 1);
        assertThat(slots.booting()).isZero();
    }

    @Test
    void aGuestThatIsNotReadyGivesItsSlotBackAndItsAwaiterGetsTheSameFailure() {
        BootSlots slots = new BootSlots(1);
        GuestNotReadyException notReady = new GuestNotReadyException("guest a was not ready within 1 s", null);
        GuestBoot a = GuestBoot.begin("a", slots, () -> { }, () -> {
            throw notReady;
        });

        assertThatThrownBy(a::await).isSameAs(notReady);
        assertThatThrownBy(a::await).as("a failed boot keeps saying so").isSameAs(notReady);
        assertThat(a.succeeded()).isFalse();
        await().atMost(Duration.ofSeconds(10)).until(() -> slots.free() == 1);
    }

    @Test
    void aQueuedGuestThatIsRemovedNeverStartsAndHoldsNoSlot() {
        BootSlots slots = new BootSlots(1);
        GuestBoot a = begin(slots, "a");
        GuestBoot b = begin(slots, "b");

        b.cancel();

        assertThatThrownBy(b::await).isInstanceOf(VirtunitException.class)
                .hasMessage("guest b was removed while it waited for a boot slot");
        ready("a");
        a.await();
        await().atMost(Duration.ofSeconds(10)).until(() -> slots.free() == 1);
        assertThat(started).containsExactly("a");
    }

    @Test
    void aBootingGuestThatIsRemovedGivesItsSlotBackAtOnceAndOnlyOnce() {
        BootSlots slots = new BootSlots(1);
        GuestBoot a = begin(slots, "a");
        GuestBoot b = begin(slots, "b");

        a.cancel();
        a.cancel();

        // b got a's slot: it started while a's readiness still runs.
        await().atMost(Duration.ofSeconds(10)).until(() -> started.contains("b"));
        ready("a");
        a.await();
        assertThat(slots.booting()).isEqualTo(1);
        assertThat(slots.free()).as("a's slot was not given back twice").isZero();
        ready("b");
        b.await();
        await().atMost(Duration.ofSeconds(10)).until(() -> slots.free() == 1);
        assertThat(mostBooting).hasValue(1);
    }

    @Test
    void creatingEveryGuestThenAwaitingEachCannotDeadlockUnderTheSmallestLimit() {
        BootSlots slots = new BootSlots(1);
        List<GuestBoot> boots = new ArrayList<>();
        for (String guest : List.of("a", "b", "c")) {
            boots.add(GuestBoot.begin(guest, slots, () -> started.add(guest), () -> { }));
        }

        // Awaited last first: the queue moves on by itself, not by who awaits whom.
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            for (int i = boots.size() - 1; i >= 0; i--) {
                boots.get(i).await();
            }
        });
        assertThat(started).containsExactly("a", "b", "c");
        await().atMost(Duration.ofSeconds(10)).until(() -> slots.free() == 1);
    }

    @Test
    void aRestartHoldsASlotWhileItBootsAndGivesItBackWhenItFails() {
        BootSlots slots = new BootSlots(1);
        AtomicInteger freeDuringRestart = new AtomicInteger(-1);

        assertThatThrownBy(() -> slots.whileHolding("a", () -> {
            freeDuringRestart.set(slots.free());
            throw new GuestNotReadyException("guest a was not ready", null);
        })).hasMessage("guest a was not ready");

        assertThat(freeDuringRestart).hasValue(0);
        assertThat(slots.free()).isEqualTo(1);
    }
}
