package dev.virtunit.internal.net;

import dev.virtunit.LabConfig;
import dev.virtunit.VirtunitException;
import dev.virtunit.internal.host.HostCommands;

import dev.virtunit.internal.host.HostFiles;
import dev.virtunit.internal.host.HostFolder;
import dev.virtunit.internal.host.ProcessOwner;
import dev.virtunit.internal.host.RunLease;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
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

/**
 * Keeps {@code net.ipv4.ip_forward} on while anything routes between a guest bridge and an uplink, in this JVM or in
 * any other test JVM on the host, and puts back what the first holder found when the last live holder lets go. NAT
 * without forwarding silently drops every packet, and a test machine's forwarding setting is the machine owner's:
 * virtunit turns it on only as long as it needs it.
 *
 * <p>Each lease is a file in the holders folder ({@code <stateDir>/forwarding}), named after its process; the value
 * found before the first holder is saved once beside them ({@code original}). Every read-modify-write of that folder
 * runs under a lock, so two JVMs never both decide they are the last one. A holder whose process is gone (or
 * the host rebooted since) no longer counts, so a killed JVM cannot keep forwarding on for ever, and the original it
 * saved is still the one restored. On a remote host ({@link #onHost}) the folder is on that host
 * ({@link HostHolderFiles}), where every test machine using the host meets it; a holder there names its machine too,
 * and a holder of another machine counts while that machine's run keeps its lease on the host fresh
 * ({@link RunLease}). Other programs (libvirt's own NAT networks) may switch forwarding too; this
 * class never switches it off while one of its holders lives. The setting goes through {@link Sysctls}, so a fake
 * {@link HostCommands} stands in for the host in unit tests.
 *
 * @since 0.1
 */
public final class IpForwarding {

    private static final String KEY = "net.ipv4.ip_forward";
    private static final String HOLDER = LocalHolderFiles.HOLDER;

    private static final IpForwarding SYSTEM = new IpForwarding(new Sysctls(HostCommands.local()),
            LabConfig.fromEnvironment().stateDir().resolve("forwarding"));
    private static final AtomicLong LEASES = new AtomicLong();

    private final Sysctls sysctls;
    private final HolderFiles files;
    private final HolderProcess self;
    private final Predicate<HolderProcess> alive;
    private int holders;
    /** The holder files of this instance's leases not closed yet. */
    private final Set<String> open = new LinkedHashSet<>();

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
        this(sysctls, new LocalHolderFiles(Objects.requireNonNull(dir, "dir")), self, alive);
    }

    IpForwarding(Sysctls sysctls, HolderFiles files, HolderProcess self, Predicate<HolderProcess> alive) {
        this.sysctls = Objects.requireNonNull(sysctls, "sysctls");
        this.files = Objects.requireNonNull(files, "files");
        this.self = self;
        this.alive = alive;
    }

    /**
     * Forwarding of the host {@code host} reaches (a remote one), its holders counted in that host's {@code files} in
     * {@code <hostStateDir>/forwarding} with every test machine that uses it. A holder of this machine counts while
     * its process lives; one of another machine while that machine's run keeps its {@link RunLease} under
     * {@code <hostStateDir>/runs} fresh.
     *
     * @since 0.4
     */
    public static IpForwarding onHost(HostCommands host, HostFiles files, String hostStateDir) {
        HostFolder holders = files.folder(Path.of(hostStateDir)).folder("forwarding");
        HostFolder runs = RunLease.runsFolder(files, hostStateDir);
        return new IpForwarding(new Sysctls(host), new HostHolderFiles(host, holders),
                HolderProcess.current(), holder -> holder.owner().isHere() ? holder.isAlive()
                        : RunLease.liveOwners(runs).contains(holder.owner()));
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
        return files.locked(() -> {
            boolean first = liveHolders().isEmpty();
            boolean savedNow = false;
            if (first) {
                String current = read();
                // Saved by holders that died without restoring it: that value, not their "1", is the host's own.
                if (files.original().isEmpty()) {
                    files.saveOriginal(current);
                    savedNow = true;
                }
                if (!current.equals("1")) {
                    try {
                        write("1");
                    } catch (RuntimeException e) {
                        if (savedNow) {
                            files.deleteOriginal();
                        }
                        throw e;
                    }
                }
            }
            String file = self.pid() + "-" + LEASES.incrementAndGet() + HOLDER;
            files.write(file, self.toText(files.shared()));
            open.add(file);
            holders++;
            return new Lease(file);
        });
    }

    /** How many leases of this instance are open. */
    public synchronized int holders() {
        return holders;
    }

    private synchronized void release(String file) {
        files.locked(() -> {
            files.delete(file);
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
        files.locked(() -> {
            for (String file : open) {
                if (files.read(file).isPresent()) {
                    files.write(file, self.toText(files.shared(), until, run));
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
        files.locked(() -> {
            for (String file : files.holders()) {
                if (files.read(file).map(HolderProcess::keptBy).filter(run::equals).isPresent()) {
                    files.delete(file);
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
        files.locked(() -> {
            restoreWhenUnheld();
            return null;
        });
    }

    private void restoreWhenUnheld() throws IOException {
        Optional<String> original = files.original();
        if (liveHolders().isEmpty() && original.isPresent()) {
            if (!original.get().equals("1")) {
                write(original.get());
            }
            files.deleteOriginal();
        }
    }

    /** The holder files of live processes (or kept ones); those of dead ones are deleted on the way. */
    private List<String> liveHolders() throws IOException {
        List<String> live = new ArrayList<>();
        for (String file : files.holders()) {
            Optional<String> text = files.read(file);
            if (text.isEmpty()) {
                continue;
            }
            Optional<HolderProcess> owner = HolderProcess.parse(text.get());
            if (owner.isPresent() && (HolderProcess.keptUntil(text.get()).isAfter(Instant.now()) || alive.test(owner.get()))) {
                live.add(file);
            } else {
                files.delete(file);
            }
        }
        return live;
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
     * The process a lease belongs to: its pid, when it started (a reused pid is another process), the kernel's
     * boot id (a reboot ends every process) and its machine (on a remote host, holders of several machines meet).
     * As text: {@code pid started bootId} and, once kept or when the machine is named, {@code until run machine}
     * ({@code -} for none).
     */
    record HolderProcess(long pid, Instant started, String bootId, String machine) {

        HolderProcess(long pid, Instant started, String bootId) {
            this(pid, started, bootId, ProcessOwner.thisMachine());
        }

        static HolderProcess current() {
            ProcessOwner owner = ProcessOwner.current();
            return new HolderProcess(owner.pid(), owner.started(), owner.bootId(), owner.machine());
        }

        ProcessOwner owner() {
            return new ProcessOwner(machine, bootId, pid, started);
        }

        boolean isAlive() {
            return owner().isAliveHere();
        }

        /** {@code withMachine}: in a folder several machines share; else the format of a folder of this machine. */
        String toText(boolean withMachine) {
            return withMachine ? pid + " " + started + " " + bootId + " - - " + machine + "\n"
                    : pid + " " + started + " " + bootId + "\n";
        }

        /** As {@link #toText(boolean)}, held on after the process by run {@code run} until {@code until}. */
        String toText(boolean withMachine, Instant until, String run) {
            return pid + " " + started + " " + bootId + " " + until + " " + run + (withMachine ? " " + machine : "") + "\n";
        }

        /** Until when a holder file keeps its lease after its process (the epoch when it does not). */
        static Instant keptUntil(String text) {
            String[] parts = text.strip().split(" ");
            try {
                return parts.length >= 5 && !parts[3].equals("-") ? Instant.parse(parts[3]) : Instant.EPOCH;
            } catch (RuntimeException e) {
                return Instant.EPOCH;
            }
        }

        /** The run that kept a holder file's lease, or "" when none did. */
        static String keptBy(String text) {
            String[] parts = text.strip().split(" ");
            return parts.length >= 5 && !parts[4].equals("-") ? parts[4] : "";
        }

        /** Three fields (a holder of this machine), five (kept, of this machine) or six (with the machine). */
        static Optional<HolderProcess> parse(String text) {
            String[] parts = text.strip().split(" ");
            try {
                if (parts.length != 3 && parts.length != 5 && parts.length != 6) {
                    return Optional.empty();
                }
                String machine = parts.length == 6 ? parts[5] : ProcessOwner.thisMachine();
                return Optional.of(new HolderProcess(Long.parseLong(parts[0]), Instant.parse(parts[1]), parts[2],
                        machine));
            } catch (RuntimeException e) {
                return Optional.empty();
            }
        }
    }

    /** One holder's claim on forwarding. */
    public final class Lease implements AutoCloseable {
        private final AtomicBoolean closed = new AtomicBoolean();
        private final String file;

        private Lease(String file) {
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
