package dev.virtunit.it.crash;

import dev.virtunit.internal.host.HostCommands;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything of one run still on the host, of every kind, seen with the real tools rather than through virtunit:
 * {@code virsh}, {@code ovs-vsctl}, {@code ip}, {@code nft}, {@code ps} and the state directory. Empty means the run
 * left nothing. {@link #on} looks on another host (a second host's commands over SSH, its libvirt URI) the same way.
 */
final class RunTraces {

    static final Path STATE_DIR = Path.of("/var/lib/virtunit");
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final RunTraces HERE = new RunTraces(HostCommands.local(), "qemu:///system");

    private final HostCommands host;
    private final String uri;

    private RunTraces(HostCommands host, String uri) {
        this.host = host;
        this.uri = uri;
    }

    /** Traces on the host {@code host} runs commands on, whose libvirt is at {@code uri}. */
    static RunTraces on(HostCommands host, String uri) {
        return new RunTraces(host, uri);
    }

    /** What run {@code run} left on this machine. */
    static List<String> of(String run) {
        return HERE.left(run);
    }

    /** What run {@code run} left on this host: its objects of every kind, its files in the host's state folder. */
    List<String> left(String run) {
        String libvirt = "vu-" + run + "-";
        String linux = "vu" + run;
        List<String> traces = new ArrayList<>();
        lines("domain", libvirt, "virsh", "-q", "-c", uri, "list", "--all", "--name").forEach(traces::add);
        lines("network", libvirt, "virsh", "-q", "-c", uri, "net-list", "--all", "--name").forEach(traces::add);
        lines("pool", libvirt, "virsh", "-q", "-c", uri, "pool-list", "--all", "--name").forEach(traces::add);
        lines("ovs port or interface", linux, "ovs-vsctl", "--timeout=10", "--bare", "--columns=name", "list", "interface")
                .forEach(traces::add);
        lines("ovs bridge", linux, "ovs-vsctl", "--timeout=10", "list-br").forEach(traces::add);
        for (String line : host.check(TIMEOUT, List.of("ip", "-o", "link", "show")).stdout().lines().toList()) {
            String name = line.split(": ")[1].split("@")[0];
            if (name.startsWith(linux)) {
                traces.add("link " + name);
            }
        }
        lines("netns", linux, "ip", "netns", "list").forEach(traces::add);
        for (String line : host.check(TIMEOUT, List.of("nft", "list", "tables")).stdout().lines().toList()) {
            if (line.contains(" vu_" + run + "_")) {
                traces.add("nft " + line.strip());
            }
        }
        for (String line : host.check(TIMEOUT, List.of("ps", "-eo", "pid=,args=")).stdout().lines().toList()) {
            if (line.contains("guest=" + libvirt)) {
                traces.add("qemu process " + line.strip().split("\\s+")[0]);
            }
        }
        // Subnet leases name their run; the pool's folder, the run record (here) or lease and folder (a remote host).
        for (String lease : host.run(TIMEOUT, List.of("grep", "-lx", run, "-r", STATE_DIR.resolve("leases").toString()))
                .stdout().lines().toList()) {
            traces.add("lease " + lease);
        }
        for (Path path : List.of(STATE_DIR.resolve("pools").resolve(libvirt + "pool"), STATE_DIR.resolve("runs").resolve(run + ".run"),
                STATE_DIR.resolve("runs").resolve(run + ".lease"), STATE_DIR.resolve("runs").resolve(run))) {
            if (host.run(TIMEOUT, List.of("test", "-e", path.toString())).succeeded()) {
                traces.add("file " + path);
            }
        }
        return traces;
    }

    /** Pids of the processes in the run's upstream namespace (its echo service). */
    static List<Long> upstreamPids(String run) {
        return HERE.host.check(TIMEOUT, List.of("ip", "netns", "pids", "vu" + run + "u0")).stdout().lines()
                .map(String::strip).filter(line -> !line.isEmpty()).map(Long::parseLong).toList();
    }

    private List<String> lines(String kind, String prefix, String... argv) {
        return host.check(TIMEOUT, List.of(argv)).stdout().lines().map(String::strip)
                .map(line -> line.split("\\s+")[0]).filter(name -> name.startsWith(prefix))
                .map(name -> kind + " " + name).toList();
    }
}
