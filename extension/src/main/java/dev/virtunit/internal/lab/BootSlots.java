package dev.virtunit.internal.lab;

import dev.virtunit.VirtunitException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many guests of a lab boot at once ({@code virtunit.boot.concurrency}, by default the host's cores): a guest
 * takes a slot before its domain starts and gives it back when it is ready, failed or removed, so that parallel test
 * classes queue instead of booting nine guests at once on two cores, and a boot timeout counts from the start, not
 * from the queue. Slots go to guests in the order they asked for them, whichever thread then waits.
 *
 * <p>Tests may watch slots being taken and given back ({@link #observe}); the parallel ITs use it to show that the
 * limit held.
 *
 * @since 0.2
 */
public final class BootSlots {

    private static final Logger LOG = LoggerFactory.getLogger(BootSlots.class);
    private static final List<Observer> OBSERVERS = new CopyOnWriteArrayList<>();

    /** Told of every slot taken and given back, in every lab of this JVM. */
    public interface Observer {
        /** {@code guest} took a slot at {@code at}; {@code booting} guests (it included) hold one now. */
        void taken(String guest, int booting, int limit, Instant at);

        /** {@code guest} gave its slot back at {@code at}; {@code booting} guests still hold one. */
        void givenBack(String guest, int booting, int limit, Instant at);
    }

    private final int limit;
    /** Guests waiting for a slot, first come first served; guarded by {@code this}. */
    private final Deque<Ticket> queue = new ArrayDeque<>();
    private int free;
    private final AtomicInteger booting = new AtomicInteger();

    BootSlots(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("boot concurrency must be 1 or more, not " + limit);
        }
        this.limit = limit;
        this.free = limit;
    }

    /** Registers {@code observer} until the returned handle is closed. */
    public static AutoCloseable observe(Observer observer) {
        OBSERVERS.add(observer);
        return () -> OBSERVERS.remove(observer);
    }

    int limit() {
        return limit;
    }

    /** How many guests hold a slot now. */
    int booting() {
        return booting.get();
    }

    /** Slots nobody holds now. */
    synchronized int free() {
        return free;
    }

    /** A slot now if one is free and no guest queues before this one; empty otherwise. */
    synchronized Optional<Slot> tryTake(String guest) {
        if (!queue.isEmpty() || free == 0) {
            return Optional.empty();
        }
        free--;
        return Optional.of(taken(guest));
    }

    /**
     * A place in the queue for {@code guest}, taken now so that guests get slots in the order they asked, whichever
     * thread waits for it; logs at INFO that the guest waits.
     */
    synchronized Ticket enqueue(String guest) {
        Ticket ticket = new Ticket(guest);
        queue.addLast(ticket);
        LOG.info("guest {} waits for a boot slot: {} of {} booting (virtunit.boot.concurrency)", guest, booting.get(), limit);
        return ticket;
    }

    /** Waits for a slot: at once if one is free, else in the queue. */
    Slot take(String guest) throws InterruptedException {
        Optional<Slot> now = tryTake(guest);
        return now.isPresent() ? now.get() : enqueue(guest).await();
    }

    /** Runs {@code boot} (a restart or a reboot, awaited to ready) holding a slot. */
    void whileHolding(String guest, Runnable boot) {
        Slot slot;
        try {
            slot = take(guest);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VirtunitException("interrupted while guest " + guest + " waited for a boot slot", e);
        }
        try (slot) {
            boot.run();
        }
    }

    /** Under the lock, like {@link #taken}: observers see takes and give-backs in the order they happened. */
    private synchronized void giveBack(String guest) {
        int now = booting.decrementAndGet();
        free++;
        OBSERVERS.forEach(observer -> observer.givenBack(guest, now, limit, Instant.now()));
        notifyAll();
    }

    /** One guest's place in the queue. */
    final class Ticket {
        private final String guest;

        private Ticket(String guest) {
            this.guest = guest;
        }

        /** Waits until this guest is first in the queue and a slot is free; an interrupt gives up the place. */
        Slot await() throws InterruptedException {
            synchronized (BootSlots.this) {
                try {
                    while (queue.peekFirst() != this || free == 0) {
                        BootSlots.this.wait();
                    }
                } catch (InterruptedException e) {
                    queue.remove(this);
                    BootSlots.this.notifyAll();
                    throw e;
                }
                queue.removeFirst();
                free--;
                // The next in line may find a slot free too.
                BootSlots.this.notifyAll();
                return taken(guest);
            }
        }
    }

    /** Called under the lock (by {@link #tryTake} and {@link Ticket#await}). */
    private Slot taken(String guest) {
        int now = booting.incrementAndGet();
        OBSERVERS.forEach(observer -> observer.taken(guest, now, limit, Instant.now()));
        return new Slot(guest);
    }

    /** One guest's slot; closing it gives it back, once however often it is closed. */
    final class Slot implements AutoCloseable {
        private final String guest;
        private final AtomicBoolean givenBack = new AtomicBoolean();

        private Slot(String guest) {
            this.guest = guest;
        }

        @Override
        public void close() {
            if (givenBack.compareAndSet(false, true)) {
                giveBack(guest);
            }
        }
    }
}
