package dev.virtunit.internal.host;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A run's lease on the host it makes things on, {@code <hostStateDir>/runs/<run>.lease}: who owns the run (machine,
 * boot, pid) and, while the run lives, a heartbeat (the file touched every {@link #HEARTBEAT}). A pid means
 * something only on the machine that ran the test, so on a remote host this is how another test machine tells a
 * live run from a dead one: a lease not touched for {@link #STALE_AFTER} (by the host's clock) belongs to a run that
 * is gone, unless it is kept on purpose until a time. Beside it, the run's folder on the host ({@link #folder()}:
 * the upstream's echo classes, say), removed with the lease.
 *
 * <p>Written before the run makes anything on the host; closed after everything is removed.
 *
 * @since 0.4
 */
public final class RunLease implements AutoCloseable {

    /** How often a live run touches its lease. */
    public static final Duration HEARTBEAT = Duration.ofSeconds(15);
    /** How old a lease's heartbeat may get before its run counts as gone: several heartbeats missed. */
    public static final Duration STALE_AFTER = Duration.ofMinutes(2);

    private static final Logger LOG = LoggerFactory.getLogger(RunLease.class);
    private static final String SUFFIX = ".lease";
    private static final String OWNER = "owner.";

    private final HostFolder runs;
    private final String run;
    private final ProcessOwner owner;
    private final ScheduledExecutorService heartbeat;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Optional<Instant> keptUntil = Optional.empty();
    private final AtomicBoolean heartbeatFailing = new AtomicBoolean();

    private RunLease(HostFolder runs, String run, ProcessOwner owner, Duration every) {
        this.runs = runs;
        this.run = run;
        this.owner = owner;
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "virtunit-lease-" + run);
            thread.setDaemon(true);
            return thread;
        });
        heartbeat.scheduleWithFixedDelay(this::beat, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Writes the lease of this JVM's run {@code run} under {@code hostStateDir} in the host's {@code files}, makes
     * the run's folder there, and touches the lease every {@link #HEARTBEAT} until {@link #close()}.
     */
    public static RunLease start(HostFiles files, String hostStateDir, String run) {
        return start(runsFolder(files, hostStateDir), run, ProcessOwner.current(), HEARTBEAT);
    }

    static RunLease start(HostFolder runs, String run, ProcessOwner owner, Duration every) {
        runs.create();
        runs.write(run + SUFFIX, text(owner, Optional.empty()));
        runs.folder(run).create();
        return new RunLease(runs, run, owner, every);
    }

    /** The run's folder on the host, removed with the lease, and by the sweep when the run is gone. */
    public HostFolder folder() {
        return runs.folder(run);
    }

    public String run() {
        return run;
    }

    /**
     * Marks the run kept on purpose until {@code until}: its objects outlive this JVM, and no sweep takes them before.
     * The heartbeat stops meaning anything after the JVM exits; this time is what holds.
     */
    public void markKept(Instant until) {
        keptUntil = Optional.of(until);
        runs.write(run + SUFFIX, text(owner, keptUntil));
    }

    private void beat() {
        try {
            runs.touch(run + SUFFIX);
            if (heartbeatFailing.compareAndSet(true, false)) {
                LOG.info("the lease of run {} in {} is touched again", run, runs);
            }
        } catch (RuntimeException e) {
            // Said once: a connection lost for good would say it every 15 s. Another run may sweep this one after
            // STALE_AFTER without heartbeats.
            if (heartbeatFailing.compareAndSet(false, true)) {
                LOG.warn("cannot touch the lease of run {} in {}: {} (after {} without a heartbeat another test run "
                        + "may take this run for dead)", run, runs, e.getMessage(), STALE_AFTER);
            }
        }
    }

    /**
     * Stops the heartbeat; unless the run was kept ({@link #markKept}), removes its folder and then its lease.
     * Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        heartbeat.shutdownNow();
        if (keptUntil.isEmpty()) {
            remove(runs, run);
        }
    }

    /** Removes run {@code run}'s folder and then its lease (the sweep, for a run that is gone). */
    public static void remove(HostFolder runs, String run) {
        runs.delete(run);
        runs.delete(run + SUFFIX);
    }

    /** The folder of the run leases under {@code hostStateDir} in the host's {@code files}. */
    public static HostFolder runsFolder(HostFiles files, String hostStateDir) {
        return files.folder(Path.of(hostStateDir)).folder("runs");
    }

    /**
     * A lease as another process sees it.
     *
     * @param run        the run id
     * @param owner      its owner, empty when the lease is unreadable
     * @param keptUntil  until when it is kept on purpose
     * @param ageSeconds since its last heartbeat, by the host's clock
     */
    public record Seen(String run, Optional<ProcessOwner> owner, Optional<Instant> keptUntil, long ageSeconds) {

        /**
         * Whether its run is gone: kept and past its time; else its owner is of this machine and dead; else its
         * heartbeat is older than {@link #STALE_AFTER}.
         */
        public boolean isAbandoned() {
            if (keptUntil.isPresent()) {
                return Instant.now().isAfter(keptUntil.get());
            }
            if (owner.isPresent() && owner.get().isHere()) {
                return !owner.get().isAliveHere();
            }
            return ageSeconds > STALE_AFTER.toSeconds();
        }

        /** Why it is live or gone, for a log line. */
        public String describe() {
            return "run " + run + " of " + owner.map(ProcessOwner::toString).orElse("an unknown owner")
                    + keptUntil.map(until -> ", kept until " + until).orElse(", heartbeat " + ageSeconds + " s ago");
        }
    }

    /** Every lease in {@code runs}; one that went meanwhile is left out. */
    public static List<Seen> all(HostFolder runs) {
        List<Seen> seen = new ArrayList<>();
        for (Map.Entry<String, Long> entry : runs.ages().entrySet()) {
            String name = entry.getKey();
            if (!name.endsWith(SUFFIX)) {
                continue;
            }
            String run = name.substring(0, name.length() - SUFFIX.length());
            runs.read(name).ifPresent(text -> {
                Properties properties = parse(text);
                Map<String, String> fields = new java.util.HashMap<>();
                properties.stringPropertyNames().forEach(key -> fields.put(key, properties.getProperty(key)));
                Optional<Instant> kept;
                try {
                    kept = Optional.ofNullable(properties.getProperty("keptUntil")).map(Instant::parse);
                } catch (RuntimeException malformed) {
                    kept = Optional.empty();
                }
                seen.add(new Seen(run, ProcessOwner.fromFields(fields, OWNER), kept, entry.getValue()));
            });
        }
        return seen;
    }

    /** The owners of the leases in {@code runs} that are live: what holds a share of the host for a live run. */
    public static List<ProcessOwner> liveOwners(HostFolder runs) {
        return all(runs).stream().filter(seen -> !seen.isAbandoned()).flatMap(seen -> seen.owner().stream()).toList();
    }

    private static String text(ProcessOwner owner, Optional<Instant> keptUntil) {
        Properties properties = new Properties();
        owner.toFields(OWNER).forEach(properties::setProperty);
        keptUntil.ifPresent(until -> properties.setProperty("keptUntil", until.toString()));
        StringWriter writer = new StringWriter();
        try {
            properties.store(writer, "virtunit run lease; touched while the run lives, removed when it ends");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return writer.toString();
    }

    private static Properties parse(String text) {
        Properties properties = new Properties();
        try {
            properties.load(new StringReader(text));
        } catch (IOException | IllegalArgumentException malformed) {
            // an empty set: no owner, so it is judged by its heartbeat alone
        }
        return properties;
    }
}
