package dev.virtunit.it.crash;

import dev.virtunit.internal.host.Command;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Everything of one run still on the host, of every kind, seen with the real tools rather than through virtunit:
 * {@code virsh}, {@code ovs-vsctl}, {@code ip}, {@code nft}, {@code ps} and the state directory. Empty means the run
 * left nothing.
 */
final class RunTraces {

    static final Path STATE_DIR = Path.of("/var/lib/virtunit");
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private RunTraces() {
    }

    static List<String> of(String run) {
        String libvirt = "vu-" + run + "-";
        String linux = "vu" + run;
        List<String> traces = new ArrayList<>();
        lines("domain", libvirt, "virsh", "-q", "-c", "qemu:///system", "list", "--all", "--name").forEach(traces::add);
        lines("network", libvirt, "virsh", "-q", "-c", "qemu:///system", "net-list", "--all", "--name").forEach(traces::add);
        lines("pool", libvirt, "virsh", "-q", "-c", "qemu:///system", "pool-list", "--all", "--name").forEach(traces::add);
        lines("ovs port or interface", linux, "ovs-vsctl", "--timeout=10", "--bare", "--columns=name", "list", "interface")
                .forEach(traces::add);
        lines("ovs bridge", linux, "ovs-vsctl", "--timeout=10", "list-br").forEach(traces::add);
        for (String line : Command.check(TIMEOUT, "ip", "-o", "link", "show").stdout().lines().toList()) {
            String name = line.split(": ")[1].split("@")[0];
            if (name.startsWith(linux)) {
                traces.add("link " + name);
            }
        }
        lines("netns", linux, "ip", "netns", "list").forEach(traces::add);
        for (String line : Command.check(TIMEOUT, "nft", "list", "tables").stdout().lines().toList()) {
            if (line.contains(" vu_" + run + "_")) {
                traces.add("nft " + line.strip());
            }
        }
        for (String line : Command.check(TIMEOUT, "ps", "-eo", "pid=,args=").stdout().lines().toList()) {
            if (line.contains("guest=" + libvirt)) {
                traces.add("qemu process " + line.strip().split("\\s+")[0]);
            }
        }
        for (Path lease : files(STATE_DIR.resolve("leases"))) {
            try {
                if (Files.readString(lease).strip().equals(run)) {
                    traces.add("lease " + lease);
                }
            } catch (IOException released) {
                // gone meanwhile
            }
        }
        for (Path path : List.of(STATE_DIR.resolve("pools").resolve(libvirt + "pool"), STATE_DIR.resolve("runs").resolve(run + ".run"))) {
            if (Files.exists(path)) {
                traces.add("file " + path);
            }
        }
        return traces;
    }

    /** Pids of the processes in the run's upstream namespace (its echo service). */
    static List<Long> upstreamPids(String run) {
        return Command.check(TIMEOUT, "ip", "netns", "pids", "vu" + run + "u0").stdout().lines()
                .map(String::strip).filter(line -> !line.isEmpty()).map(Long::parseLong).toList();
    }

    private static List<String> lines(String kind, String prefix, String... argv) {
        return Command.check(TIMEOUT, argv).stdout().lines().map(String::strip)
                .map(line -> line.split("\\s+")[0]).filter(name -> name.startsWith(prefix))
                .map(name -> kind + " " + name).toList();
    }

    private static List<Path> files(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.toList();
        } catch (IOException e) {
            return List.of();
        }
    }
}
