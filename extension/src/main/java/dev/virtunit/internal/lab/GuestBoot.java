package dev.virtunit.internal.lab;

import dev.virtunit.VirtunitException;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * A guest's first boot under the lab's {@link BootSlots}: started at once when a slot is free, else queued on a
 * thread of its own that starts it when one is. Readiness is awaited on that thread too, so the slot comes back when
 * the guest is ready, failed or removed, whether or not anyone is awaiting it yet. That is what keeps the
 * extension's "create every guest, then await each" free of deadlock under any limit: no slot waits for its
 * owner's caller.
 */
final class GuestBoot {

    private final String guest;
    private final Runnable start;
    private final Runnable ready;
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    /** Guards start against removal: a removed guest is never started, and removal waits for a start under way. */
    private final Object lock = new Object();
    private BootSlots.Slot slot;
    private Thread thread;
    private boolean removed;

    private GuestBoot(String guest, Runnable start, Runnable ready) {
        this.guest = guest;
        this.start = start;
        this.ready = ready;
    }

    /**
     * Starts {@code guest} now if a slot is free (a failure to start is thrown here, the slot given back) or queues
     * it; then awaits {@code ready} in the background.
     */
    static GuestBoot begin(String guest, BootSlots slots, Runnable start, Runnable ready) {
        GuestBoot boot = new GuestBoot(guest, start, ready);
        Optional<BootSlots.Slot> now = slots.tryTake(guest);
        if (now.isPresent()) {
            boot.slot = now.get();
            try {
                start.run();
            } catch (RuntimeException | Error e) {
                boot.slot.close();
                throw e;
            }
        }
        boot.continueInBackground(now.isPresent() ? null : slots.enqueue(guest));
        return boot;
    }

    /** @param ticket the guest's place in the queue, or null when it started already */
    private void continueInBackground(BootSlots.Ticket ticket) {
        Thread worker = new Thread(() -> run(ticket), "virtunit-boot-" + guest);
        worker.setDaemon(true);
        synchronized (lock) {
            thread = worker;
        }
        worker.start();
    }

    private void run(BootSlots.Ticket ticket) {
        try {
            if (ticket != null) {
                BootSlots.Slot taken = ticket.await();
                synchronized (lock) {
                    slot = taken;
                    if (removed) {
                        // Removed just as its slot came: the same outcome as while it waited, so the same words.
                        throw new VirtunitException("guest " + guest + " was removed while it waited for a boot slot");
                    }
                    start.run();
                }
            }
            ready.run();
            done.complete(null);
        } catch (InterruptedException e) {
            done.completeExceptionally(new VirtunitException("guest " + guest
                    + " was removed while it waited for a boot slot", e));
        } catch (RuntimeException | Error e) {
            done.completeExceptionally(e);
        } finally {
            giveBack();
        }
    }

    private void giveBack() {
        synchronized (lock) {
            if (slot != null) {
                slot.close();
            }
        }
    }

    /**
     * The guest is being removed: a queued boot never starts, a slot held is given back now. Returns once no start
     * is under way, so the caller may undefine the domain.
     */
    void cancel() {
        synchronized (lock) {
            removed = true;
            if (slot != null) {
                slot.close();
            } else if (thread != null) {
                thread.interrupt();
            }
        }
    }

    /** Whether the first boot ended with the guest ready. */
    boolean succeeded() {
        return done.isDone() && !done.isCompletedExceptionally();
    }

    /** Waits for the boot (the queue, the start and readiness) and throws what ended it, if anything did. */
    void await() {
        try {
            done.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new VirtunitException("guest " + guest + " did not boot: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VirtunitException("interrupted while waiting for guest " + guest + " to boot", e);
        }
    }
}
