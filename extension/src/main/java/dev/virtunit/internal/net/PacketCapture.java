package dev.virtunit.internal.net;

import dev.virtunit.VirtunitException;
import dev.virtunit.internal.host.CommandResult;
import dev.virtunit.internal.host.HostCommands;
import dev.virtunit.internal.host.HostProcess;
import dev.virtunit.internal.host.ProcessOutput;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One {@code tcpdump -w} on a host interface, bounded in packets ({@code -c}), bytes per packet ({@code -s}) and
 * time (stopped when its limit is over). Started, it has said "listening on": no packet sent after
 * {@link #start} returns is missed.
 *
 * @since 0.2
 */
public final class PacketCapture implements AutoCloseable {

    /** At most this many packets of at most {@link #SNAPLEN} bytes: a capture never grows past about 2.7 MB. */
    public static final int MAX_PACKETS = 10_000;
    public static final int SNAPLEN = 262;

    private static final Duration LISTENING_TIMEOUT = Duration.ofSeconds(10);

    private final HostCommands host;
    private final String device;
    private final Path file;
    private final HostProcess process;
    private final StringBuilder stderr = new StringBuilder();
    private boolean stopped;

    private PacketCapture(HostCommands host, String device, Path file, HostProcess process, Duration limit) {
        this.host = host;
        this.device = device;
        this.file = file;
        this.process = process;
        // Stopping waits for tcpdump to end, so it runs on the readers' pool, not the common pool; stop is idempotent.
        CompletableFuture.runAsync(this::stop, CompletableFuture.delayedExecutor(limit.toMillis(), TimeUnit.MILLISECONDS,
                task -> ProcessOutput.supply(() -> {
                    task.run();
                    return null;
                })));
    }

    /**
     * The tcpdump command: no name lookups, each packet handed over as it arrives ({@code --immediate-mode}: else the
     * kernel's ring buffer holds packets up to a second and a stop loses the last ones) and written at once
     * ({@code -U}), as root ({@code -Z root}: the file is root's).
     */
    public static List<String> command(String device, Path file) {
        return List.of("tcpdump", "-i", NetworkNames.interfaceName(device), "-n", "--immediate-mode", "-U", "-Z", "root",
                "-s", Integer.toString(SNAPLEN), "-c", Integer.toString(MAX_PACKETS), "-w", file.toString());
    }

    /** Starts capturing on {@code device} into {@code file}, for at most {@code limit}; returns once it listens. */
    public static PacketCapture start(HostCommands host, String device, Path file, Duration limit) {
        Objects.requireNonNull(limit, "limit");
        HostProcess process = host.start(command(device, file));
        PacketCapture capture = new PacketCapture(host, device, file, process, limit);
        ProcessOutput.readAll(process.stdout());
        CompletableFuture<Void> listening = new CompletableFuture<>();
        ProcessOutput.forEachLine(process.stderr(), line -> {
            synchronized (capture.stderr) {
                capture.stderr.append(line).append('\n');
            }
            if (line.contains("listening on")) {
                listening.complete(null);
            }
        });
        try {
            listening.get(LISTENING_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            capture.stop();
            throw new VirtunitException("tcpdump on " + device + " did not start listening within "
                    + LISTENING_TIMEOUT.toSeconds() + " s: " + capture.stderrText().strip()
                    + " (is tcpdump installed? scripts/setup-host installs it)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            capture.stop();
            throw new VirtunitException("interrupted while tcpdump on " + device + " started", e);
        }
        return capture;
    }

    public String device() {
        return device;
    }

    public Path file() {
        return file;
    }

    public boolean isRunning() {
        return process.isAlive();
    }

    /** What tcpdump said on stderr: "listening on ...", and when it ended, "N packets captured". */
    public String stderrText() {
        synchronized (stderr) {
            return stderr.toString();
        }
    }

    /** Ends tcpdump (SIGTERM: it flushes the file), killing it if it does not end within 5 s. Idempotent. */
    public synchronized void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        if (process.isAlive()) {
            process.terminate();
            try {
                if (!process.waitFor(Duration.ofSeconds(5))) {
                    process.kill();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.kill();
            }
        }
    }

    /** The packets as {@code tcpdump -n -r} prints them; stops the capture first. */
    public String decoded() {
        stop();
        List<String> argv = List.of("tcpdump", "-n", "-r", file.toString());
        CommandResult result = host.run(Duration.ofSeconds(30), argv);
        if (!result.succeeded()) {
            throw new VirtunitException("cannot read capture " + file + " of " + device + ": " + String.join(" ", argv)
                    + " failed with exit code " + result.exitCode() + ": " + result.stderr().strip());
        }
        return result.stdout();
    }

    @Override
    public void close() {
        stop();
    }
}
