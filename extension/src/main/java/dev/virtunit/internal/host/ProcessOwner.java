package dev.virtunit.internal.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The process that owns something virtunit made (a run, a forwarding lease), said so that another process can tell
 * whether it is gone: the machine it runs on, that machine's boot, its pid and when it started. A pid alone means
 * something only on the machine that ran the test: on a remote host, objects carry the machine too, and only the
 * machine that owns them can ask after the pid ({@link #isAliveHere()}); others ask the run's lease on that host.
 *
 * @param machine the owning machine's id ({@code /etc/machine-id}, else its host name)
 * @param bootId  that machine's boot id when the process ran (a reboot ends every process)
 * @param pid     the process id
 * @param started when it started (a reused pid is another process)
 * @since 0.4
 */
public record ProcessOwner(String machine, String bootId, long pid, Instant started) {

    private static final Path BOOT_ID = Path.of("/proc/sys/kernel/random/boot_id");
    private static final List<Path> MACHINE_IDS = List.of(Path.of("/etc/machine-id"), Path.of("/var/lib/dbus/machine-id"));
    private static final String MACHINE = machineId();

    /** This JVM. */
    public static ProcessOwner current() {
        ProcessHandle self = ProcessHandle.current();
        return new ProcessOwner(MACHINE, currentBootId(), self.pid(), self.info().startInstant().orElse(Instant.EPOCH));
    }

    /** This machine's id: what {@link #machine()} is for a process of this machine. */
    public static String thisMachine() {
        return MACHINE;
    }

    /** Whether the owner runs (ran) on this machine, so its pid can be looked up here. */
    public boolean isHere() {
        return machine.equals(MACHINE);
    }

    /**
     * Whether it is a live process of this machine: same machine, same boot, a process with that pid that started
     * then. False for an owner on another machine, which this machine cannot ask after.
     */
    public boolean isAliveHere() {
        return isHere() && bootId.equals(currentBootId()) && ProcessHandle.of(pid)
                .flatMap(process -> process.info().startInstant()).map(started::equals).orElse(false);
    }

    /** As {@code key=value} pairs under the given prefix (for OVS external_ids, properties files). */
    public Map<String, String> toFields(String prefix) {
        return Map.of(prefix + "machine", machine, prefix + "boot", bootId, prefix + "pid", Long.toString(pid),
                prefix + "started", started.toString());
    }

    /** Read back from {@link #toFields}; empty when a field is missing or malformed. */
    public static Optional<ProcessOwner> fromFields(Map<String, String> fields, String prefix) {
        try {
            String machine = fields.get(prefix + "machine");
            String boot = fields.get(prefix + "boot");
            if (machine == null || machine.isBlank() || boot == null) {
                return Optional.empty();
            }
            return Optional.of(new ProcessOwner(machine, boot, Long.parseLong(fields.get(prefix + "pid")),
                    Instant.parse(fields.get(prefix + "started"))));
        } catch (RuntimeException malformed) {
            return Optional.empty();
        }
    }

    @Override
    public String toString() {
        return "pid " + pid + " on machine " + machine;
    }

    private static String machineId() {
        for (Path file : MACHINE_IDS) {
            try {
                String id = Files.readString(file).strip();
                if (id.matches("[0-9a-f]{32}")) {
                    return id;
                }
            } catch (IOException | RuntimeException absent) {
                // the next source
            }
        }
        // A container without a machine id: its host name, which names it for a person too.
        return hostName();
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9._-]", "_");
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** This machine's boot id; empty when unreadable. */
    public static String currentBootId() {
        try {
            return Files.readString(BOOT_ID).strip();
        } catch (IOException e) {
            return "";
        }
    }
}
