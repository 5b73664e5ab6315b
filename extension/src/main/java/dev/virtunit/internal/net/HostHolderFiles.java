package dev.virtunit.internal.net;

import dev.virtunit.VirtunitException;
import dev.virtunit.internal.host.HostCommands;
import dev.virtunit.internal.host.HostFolder;
import dev.virtunit.internal.host.HostProcess;
import dev.virtunit.internal.host.ProcessOutput;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@link HolderFiles} in a folder of a host reached through its {@code HostCommands} (a remote one: the count must
 * live on the host whose setting it guards, where every test machine using that host meets it). The lock is
 * {@code flock(1)} on the folder's {@code .lock} file, held by a program started for the locked step and ended after
 * it: {@code stdbuf -oL flock --verbose -w 30 LOCK timeout 120 cat}. flock says on stdout when it holds the lock; {@code cat}
 * ends at end of input, which comes when the step is done, or when this JVM dies and its SSH connection with it;
 * {@code timeout} ends it in any case, so a lost lock holder never blocks the host for long.
 */
final class HostHolderFiles implements HolderFiles {

    private static final String ORIGINAL = "original";
    /** Longer than any step under the lock (a few commands), short enough that a lost holder soon lets go. */
    private static final Duration HOLD_AT_MOST = Duration.ofSeconds(120);
    private static final Duration WAIT_FOR_LOCK = Duration.ofSeconds(30);

    private final HostCommands host;
    private final HostFolder folder;

    /** The holders in {@code folder}, its lock held with {@code flock} run through {@code host}, the folder's host. */
    HostHolderFiles(HostCommands host, HostFolder folder) {
        this.host = host;
        this.folder = folder;
    }

    @Override
    public <T> T locked(LockedStep<T> step) {
        folder.create();
        // stdbuf: flock's stdout is a pipe, which stdio buffers until flock exits; line by line, "executing" comes now.
        HostProcess lock = host.start(List.of("stdbuf", "-oL", "flock", "--verbose", "-w",
                Long.toString(WAIT_FOR_LOCK.toSeconds()), folder.file(".lock").toString(), "timeout",
                Long.toString(HOLD_AT_MOST.toSeconds()), "cat"));
        try {
            awaitHeld(lock);
            return step.run();
        } catch (IOException e) {
            throw new VirtunitException("cannot count IP forwarding holders in " + where() + ": " + e.getMessage(), e);
        } finally {
            release(lock);
        }
    }

    /** Waits until flock says it holds the lock (it prints "executing" then); fails when it gave up or died. */
    private void awaitHeld(HostProcess lock) {
        StringBuilder said = new StringBuilder();
        CompletableFuture<Void> held = new CompletableFuture<>();
        // flock --verbose says it on stdout (its failures on stderr); both are read to their end.
        ProcessOutput.forEachLine(lock.stdout(), line -> {
            if (line.contains("executing")) {
                held.complete(null);
            }
        }).whenComplete((done, failure) -> held.completeExceptionally(
                new IllegalStateException("flock ended without holding the lock")));
        ProcessOutput.forEachLine(lock.stderr(), line -> {
            synchronized (said) {
                said.append(line).append('\n');
            }
        });
        try {
            held.get(WAIT_FOR_LOCK.plusSeconds(15).toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            String text;
            synchronized (said) {
                text = said.toString().strip();
            }
            throw new VirtunitException("cannot lock the IP forwarding holders in " + where() + " within "
                    + WAIT_FOR_LOCK.toSeconds() + " s (another test run holds the lock, or flock or stdbuf is missing there: "
                    + "util-linux and coreutils provide them): " + (text.isEmpty() ? e.getMessage() : text), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VirtunitException("interrupted while locking the IP forwarding holders in " + where(), e);
        }
    }

    private static void release(HostProcess lock) {
        lock.closeInput();
        try {
            if (!lock.waitFor(Duration.ofSeconds(10))) {
                lock.kill();
            }
        } catch (InterruptedException e) {
            lock.kill();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public List<String> holders() {
        return folder.list().stream().filter(name -> name.endsWith(LocalHolderFiles.HOLDER)).toList();
    }

    @Override
    public Optional<String> read(String holder) {
        return folder.read(holder);
    }

    @Override
    public void write(String holder, String text) {
        folder.write(holder, text);
    }

    @Override
    public void delete(String holder) {
        folder.delete(holder);
    }

    @Override
    public Optional<String> original() {
        return folder.read(ORIGINAL).map(String::strip);
    }

    @Override
    public void saveOriginal(String value) {
        folder.write(ORIGINAL, value + "\n");
    }

    @Override
    public void deleteOriginal() {
        folder.delete(ORIGINAL);
    }

    @Override
    public boolean shared() {
        return true;
    }

    @Override
    public String where() {
        return folder.toString();
    }
}
