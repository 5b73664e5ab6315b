package dev.virtunit.internal.net;

import dev.virtunit.LabConfig;
import dev.virtunit.VirtunitException;
import dev.virtunit.internal.host.HostCommands;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Keeps {@code net.ipv4.ip_forward} on while anything routes between a guest bridge and an uplink, in this JVM or in
 * any other test JVM on the host, and puts back what the first holder found when the last live holder lets go. NAT
 * without forwarding silently drops every packet, and a test machine's forwarding setting is the machine owner's:
 * virtunit turns it on only as long as it needs it.
 *
 * <p>Each lease is a file in the holders folder ({@code <stateDir>/forwarding}), named after its process; the value
 * found before the first holder is saved once beside them ({@code original}). Every read-modify-write of that folder
 * runs under a file lock, so two JVMs never both decide they are the last one. A holder whose process is gone (or
 * the host rebooted since) no longer counts, so a killed JVM cannot keep forwarding on for ever, and the original it
 * saved is still the one restored. Other programs (libvirt's own NAT networks) may switch forwarding too; this
 * class never switches it off while one of its holders lives. The setting goes through {@link Sysctls}, so a fake
 * {@link HostCommands} stands in for the host in unit tests.
 *
 * @since 0.1
 */
public final class IpForwarding {

    private static final String KEY = "net.ipv4.ip_forward";
    private static final String ORIGINAL = "original";
    private static final String HOLDER = ".holder";

    private static final IpForwarding SYSTEM = new IpForwarding(new Sysctls(HostCommands.local()),
            LabConfig.fromEnvironment().stateDir().resolve("forwarding"));
    private static final AtomicLong LEASES = new AtomicLong();

    private final Sysctls sysctls;
    private final Path dir;
    private final HolderProcess self;
    private final Predicate<HolderProcess> alive;
    private int holders;
    /** The holder files of this instance's leases not closed yet. */
    private final Set<Path> open = new LinkedHashSet<>();

    /**
     * Forwarding of the host {@code sysctls} runs on, its holders counted in {@code dir} with every other JVM that uses
     * the same folder; for this JVM's host use {@link #system()}.
     */
    public IpForwarding(Sysctls sysctls, Path dir) {
        this(sysctls, dir, HolderProcess.current(), HolderProcess::isAlive);
    }

    /** Forwarding counted by this instance alone (its holders in a folder of its own); for tests of its users. */
    public IpForwarding(Sysctls sysctls) {
        this(sysctls, privateFolder());
    }

    IpForwarding(Sysctls sysctls, Path dir, HolderProcess self, Predicate<HolderProcess> alive) {
        this.sysctls = Objects.requireNonNull(sysctls, "sysctls");
        this.dir = Objects.requireNonNull(dir, "dir");
        this.self = self;
        this.alive = alive;
    }

    /** The host's {@code net.ipv4.ip_forward}, its holders shared with every JVM using the default state folder. */
    public static IpForwarding system() {
        return SYSTEM;
    }

    /**
     * Turns forwarding on (if it is off) and returns a lease that must be closed when forwarding is no longer needed.
     * Closing a lease twice counts once.
     */
    public synchronized Lease acquire() {
        return underFileLock(() -> {
            boolean first = liveHolders().isEmpty();
            Path original = dir.resolve(ORIGINAL);
            boolean savedNow = false;
            if (first) {
                String current = read();
                // Saved by holders that died without restoring it: that value, not their "1", is the host's own.
                if (!Files.exists(original)) {
                    Files.writeString(original, current + "\n");
                    savedNow = true;
                }
                if (!current.equals("1")) {
                    try {
                        write("1");
                    } catch (RuntimeException e) {
                        if (savedNow) {
                            Files.deleteIfExists(original);
                        }
                        throw e;
                    }
                }
            }
            Path file = dir.resolve(self.pid() + "-" + LEASES.incrementAndGet() + HOLDER);
            Files.writeString(file, self.toText());
            open.add(file);
            holders++;
            return new Lease(file);
        });
    }

    /** How many leases of this instance are open. */
    public synchronized int holders() {
        return holders;
    }

    private synchronized void release(Path file) {
        underFileLock(() -> {
            Files.deleteIfExists(file);
            open.remove(file);
            holders--;
            restoreWhenUnheld();
            return null;
        });
    }

    /**
     * Marks every lease of this instance still open as held until {@code until} even after its process is gone: what
     * run {@code run} keeps for inspection (a NAT bridge) must go on forwarding after its JVM exits, until its time
     * to live is over or a sweep removes the run ({@link #releaseKeptBy}). A lease closed later is let go as usual.
     */
    public synchronized void keepOpenLeasesUntil(Instant until, String run) {
        underFileLock(() -> {
            for (Path file : open) {
                if (Files.exists(file)) {
                    Files.writeString(file, self.toText(until, run));
                }
            }
            return null;
        });
    }

    /**
     * Lets go of the leases run {@code run} kept: the sweep removed what they kept forwarding for. The host's value
     * comes back once no other holder is left ({@link #restoreIfUnheld()}).
     */
    public synchronized void releaseKeptBy(String run) {
        underFileLock(() -> {
            if (!Files.isDirectory(dir)) {
                return null;
            }
            try (Stream<Path> files = Files.list(dir)) {
                for (Path file : files.filter(f -> f.getFileName().toString().endsWith(HOLDER)).toList()) {
                    if (HolderProcess.keptBy(Files.readString(file)).equals(run)) {
                        Files.deleteIfExists(file);
                    }
                }
            }
            restoreWhenUnheld();
            return null;
        });
    }

    /**
     * Puts back the value the first holder found if no live or kept holder is left: a JVM killed while it held
     * forwarding never let go, and the next lab's sweep calls this so the host does not stay a router.
     */
    public synchronized void restoreIfUnheld() {
        underFileLock(() -> {
            restoreWhenUnheld();
            return null;
        });
    }

    private void restoreWhenUnheld() throws IOException {
        Path original = dir.resolve(ORIGINAL);
        if (liveHolders().isEmpty() && Files.exists(original)) {
            String value = Files.readString(original).strip();
            if (!value.equals("1")) {
                write(value);
            }
            Files.delete(original);
        }
    }

    /** The holder files of live processes (or kept ones); those of dead ones are deleted on the way. */
    private List<Path> liveHolders() throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> holderFiles = files.filter(f -> f.getFileName().toString().endsWith(HOLDER)).toList();
            List<Path> live = new ArrayList<>();
            for (Path file : holderFiles) {
                String text = Files.readString(file);
                Optional<HolderProcess> owner = HolderProcess.parse(text);
                if (owner.isPresent() && (alive.test(owner.get()) || HolderProcess.keptUntil(text).isAfter(Instant.now()))) {
                    live.add(file);
                } else {
                    Files.deleteIfExists(file);
                }
            }
            return live;
        }
    }

    private interface LockedStep<T> {
        T run() throws IOException;
    }

    private <T> T underFileLock(LockedStep<T> step) {
        try {
            Files.createDirectories(dir);
            try (FileChannel channel = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE); FileLock lock = channel.lock()) {
                return step.run();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot count IP forwarding holders in " + dir, e);
        }
    }

    /** The current value, {@code 0} or {@code 1}. */
    public String read() {
        return sysctls.read(KEY);
    }

    private void write(String value) {
        try {
            sysctls.write(KEY, value);
        } catch (VirtunitException e) {
            throw new VirtunitException("cannot set IP forwarding to " + value
                    + " (virtunit must run as root to route between guests and an uplink): " + e.getMessage(), e);
        }
    }

    private static Path privateFolder() {
        try {
            Path dir = Files.createTempDirectory("virtunit-forwarding-");
            dir.toFile().deleteOnExit();
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make a folder for IP forwarding holders", e);
        }
    }

    /**
     * The process a lease belongs to: its pid, when it started (a reused pid is another process) and the kernel's
     * boot id (a reboot ends every process).
     */
    record HolderProcess(long pid, Instant started, String bootId) {

        private static final Path BOOT_ID = Path.of("/proc/sys/kernel/random/boot_id");

        static HolderProcess current() {
            ProcessHandle self = ProcessHandle.current();
            return new HolderProcess(self.pid(), self.info().startInstant().orElse(Instant.EPOCH), currentBootId());
        }

        boolean isAlive() {
            return bootId.equals(currentBootId()) && ProcessHandle.of(pid)
                    .flatMap(process -> process.info().startInstant()).map(started::equals).orElse(false);
        }

        String toText() {
            return pid + " " + started + " " + bootId + "\n";
        }

        /** As {@link #toText()}, held on after the process by run {@code run} until {@code until}. */
        String toText(Instant until, String run) {
            return pid + " " + started + " " + bootId + " " + until + " " + run + "\n";
        }

        /** Until when a holder file keeps its lease after its process (the epoch when it does not). */
        static Instant keptUntil(String text) {
            String[] parts = text.strip().split(" ");
            try {
                return parts.length == 5 ? Instant.parse(parts[3]) : Instant.EPOCH;
            } catch (RuntimeException e) {
                return Instant.EPOCH;
            }
        }

        /** The run that kept a holder file's lease, or "" when none did. */
        static String keptBy(String text) {
            String[] parts = text.strip().split(" ");
            return parts.length == 5 ? parts[4] : "";
        }

        static Optional<HolderProcess> parse(String text) {
            String[] parts = text.strip().split(" ");
            try {
                return parts.length == 3 || parts.length == 5 ? Optional.of(new HolderProcess(Long.parseLong(parts[0]), Instant.parse(parts[1]),
                        parts[2])) : Optional.empty();
            } catch (RuntimeException e) {
                return Optional.empty();
            }
        }

        private static String currentBootId() {
            try {
                return Files.readString(BOOT_ID).strip();
            } catch (IOException e) {
                return "";
            }
        }
    }

    /** One holder's claim on forwarding. */
    public final class Lease implements AutoCloseable {
        private final AtomicBoolean closed = new AtomicBoolean();
        private final Path file;

        private Lease(Path file) {
            this.file = file;
        }

        /** Lets go; the last live lease to close, in any JVM, restores the value found by the first. */
        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                release(file);
            }
        }
    }
}
