package dev.virtunit.internal.net;

import dev.virtunit.Cidr;

import dev.virtunit.VirtunitException;
import dev.virtunit.internal.host.Command;
import dev.virtunit.internal.host.CommandFailedException;
import dev.virtunit.internal.host.CommandResult;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * The one place that changes the host's Linux networking: bridges, veth pairs, addresses, network namespaces,
 * sysctls and NIC offloads. Every change goes through {@code ip} or {@code ethtool} with an argument vector and a
 * timeout (sysctls through their {@code /proc/sys} files); a failure names the object and carries the tool's
 * stderr. Names are checked by {@link NetworkNames} first, because the kernel's own complaint rarely names them.
 * Deletions are idempotent, so teardown can run them after a creation that failed half-way.
 *
 * @since 0.1
 */
public final class LinuxNetwork {

    /** Generous: {@code ip} answers in milliseconds, but a loaded CI runner can stall on the rtnl lock. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    /** How long processes left in a namespace get to exit after SIGTERM before SIGKILL. */
    private static final Duration TERM_GRACE = Duration.ofSeconds(5);

    private static final Path PROC_SYS = Path.of("/proc/sys");
    private static final Pattern SYSCTL_KEY = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_./-]*");

    private final Duration timeout;

    public LinuxNetwork() {
        this(DEFAULT_TIMEOUT);
    }

    /** @param timeout for each external command */
    public LinuxNetwork(Duration timeout) {
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    // ---------------------------------------------------------------- links

    /**
     * Creates a Linux bridge and brings it up. STP is off and the forward delay 0 so that a port forwards the moment
     * it is added: with STP a test would wait 30 s for the listening and learning states.
     */
    public void addBridge(String name) {
        NetworkNames.interfaceName(name);
        ip("create bridge " + name, "link", "add", "name", name, "type", "bridge", "stp_state", "0", "forward_delay", "0");
        linkUp(name);
    }

    /** Creates a veth pair {@code name}/{@code peer} and brings both ends up. */
    public void addVethPair(String name, String peer) {
        NetworkNames.interfaceName(name);
        NetworkNames.interfaceName(peer);
        if (name.equals(peer)) {
            throw new IllegalArgumentException("veth ends must differ, both are '" + name + "'");
        }
        ip("create veth pair " + name + "/" + peer, "link", "add", "name", name, "type", "veth", "peer", "name", peer);
        linkUp(name);
        linkUp(peer);
    }

    /** Makes {@code link} a port of the Linux bridge {@code bridge}. */
    public void setMaster(String link, String bridge) {
        NetworkNames.interfaceName(link);
        NetworkNames.interfaceName(bridge);
        ip("add " + link + " to bridge " + bridge, "link", "set", "dev", link, "master", bridge);
    }

    /** Adds an address such as {@code 192.168.231.1/24} to {@code link}. */
    public void addAddress(String link, String cidr) {
        NetworkNames.interfaceName(link);
        Cidr.parse(cidr);
        ip("add address " + cidr + " to " + link, "address", "add", cidr, "dev", link);
    }

    /**
     * Turns ARP on or off on {@code link}. Needed on a bridge's own interface when the guests' gateway address is on
     * a veth end plugged into that bridge: Linux answers ARP for any of the host's addresses on any interface
     * ({@code arp_ignore=0}), so the bridge's interface answers the guests' "who has the gateway" too, with its own
     * MAC. Its answer usually arrives first (no veth hop) and wins; the guests then send to the bridge's interface,
     * the host routes from there, and the traffic never crosses the veth: the topology silently becomes "gateway on
     * the bridge". With ARP off the bridge's interface stays a pure switch port and only the veth end answers.
     */
    public void setArp(String link, boolean on) {
        NetworkNames.interfaceName(link);
        ip("turn ARP " + (on ? "on" : "off") + " on " + link, "link", "set", "dev", link, "arp", on ? "on" : "off");
    }

    public void linkUp(String link) {
        NetworkNames.interfaceName(link);
        ip("bring " + link + " up", "link", "set", "dev", link, "up");
    }

    /** Deletes {@code name} if it exists; a veth's peer goes with it. */
    public void deleteLink(String name) {
        NetworkNames.interfaceName(name);
        if (!linkExists(name)) {
            return;
        }
        CommandResult result = Command.run(timeout, List.of("ip", "link", "del", "dev", name));
        // Between the check and the delete the link may have gone with its peer or its namespace: that is success.
        if (!result.succeeded() && linkExists(name)) {
            throw new VirtunitException("cannot delete link " + name + ": " + Command.render(result.argv())
                    + " failed with exit code " + result.exitCode() + ": " + result.stderr().strip());
        }
    }

    /** Whether a link of this name exists in the host's namespace. */
    public boolean linkExists(String name) {
        NetworkNames.interfaceName(name);
        CommandResult result = Command.run(timeout, List.of("ip", "-o", "link", "show", "dev", name));
        if (result.succeeded()) {
            return true;
        }
        if (result.stderr().contains("does not exist")) {
            return false;
        }
        throw new VirtunitException("cannot tell whether link " + name + " exists: " + Command.render(result.argv())
                + " failed with exit code " + result.exitCode() + ": " + result.stderr().strip());
    }

    /** The names of the host namespace's links (a veth's {@code @peer} suffix removed). */
    public List<String> links() {
        return parseLinkNames(ip("list links", "-o", "link", "show").stdout());
    }

    /** The link names in {@code ip -o link show} output. */
    static List<String> parseLinkNames(String ipOutput) {
        List<String> names = new ArrayList<>();
        for (String line : ipOutput.lines().toList()) {
            String[] fields = line.split(": ", 3);
            if (fields.length >= 2) {
                String name = fields[1].strip();
                int at = name.indexOf('@');
                names.add(at >= 0 ? name.substring(0, at) : name);
            }
        }
        return names;
    }

    /**
     * Turns transmit checksum offload off on {@code link}. Needed for every veth whose packets reach an Open vSwitch
     * bridge with the userspace datapath: the kernel leaves the checksum of an offloaded packet unfinished, the
     * userspace datapath reads the packet through a raw socket and passes it on as it is, and the receiver drops
     * it. ARP and ping survive (their checksums are never offloaded), TCP does not (shared/HOST.md). With offload
     * off the kernel completes the checksum before the packet leaves. What matters is the sending side, that is
     * the peer of the end plugged into the bridge; turning it off on both ends costs nothing measurable.
     */
    public void disableTxOffload(String link) {
        NetworkNames.interfaceName(link);
        check("disable transmit checksum offload on " + link, List.of("ethtool", "-K", link, "tx", "off"));
    }

    /** Like {@link #disableTxOffload}, for a link inside namespace {@code namespace}. */
    public void disableTxOffloadIn(String namespace, String link) {
        NetworkNames.interfaceName(link);
        check("disable transmit checksum offload on " + link + " in namespace " + namespace,
                inNamespace(namespace, List.of("ethtool", "-K", link, "tx", "off")));
    }

    /** The host's IPv4 routes in every table, to choose subnets nothing uses. */
    public Routes routes() {
        return Routes.parse(ip("list routes", "-4", "route", "show", "table", "all").stdout());
    }

    // ---------------------------------------------------------------- namespaces

    /** Creates a network namespace and brings its loopback up (servers inside may bind to it, tools expect it). */
    public void addNamespace(String namespace) {
        NetworkNames.namespaceName(namespace);
        ip("create network namespace " + namespace, "netns", "add", namespace);
        ip("bring lo up in namespace " + namespace, "-n", namespace, "link", "set", "dev", "lo", "up");
    }

    /**
     * Deletes a network namespace if it exists, after ending the processes still in it (SIGTERM, then SIGKILL after
     * a grace of 5 s): a process left inside keeps the namespace and its links alive after
     * {@code ip netns del}, invisible to {@code ip netns list}. Links in it are destroyed with it; a veth's peer
     * in the host namespace goes too.
     */
    public void deleteNamespace(String namespace) {
        NetworkNames.namespaceName(namespace);
        if (!namespaceExists(namespace)) {
            return;
        }
        endProcesses(namespace, pidsIn(namespace));
        CommandResult result = Command.run(timeout, List.of("ip", "netns", "del", namespace));
        if (!result.succeeded() && namespaceExists(namespace)) {
            throw new VirtunitException("cannot delete network namespace " + namespace + ": "
                    + Command.render(result.argv()) + " failed with exit code " + result.exitCode() + ": "
                    + result.stderr().strip());
        }
    }

    public boolean namespaceExists(String namespace) {
        NetworkNames.namespaceName(namespace);
        return namespaces().contains(namespace);
    }

    /** The names of the network namespaces {@code ip netns} knows. */
    public List<String> namespaces() {
        return parseNamespaceNames(ip("list network namespaces", "netns", "list").stdout());
    }

    /** The namespace names in {@code ip netns list} output ({@code name (id: 3)} or just {@code name}). */
    static List<String> parseNamespaceNames(String ipOutput) {
        return ipOutput.lines().map(String::strip).filter(line -> !line.isEmpty())
                .map(line -> line.split("\\s+")[0]).toList();
    }

    /** The process ids running in {@code namespace}. */
    public List<Long> pidsIn(String namespace) {
        NetworkNames.namespaceName(namespace);
        return ip("list processes in namespace " + namespace, "netns", "pids", namespace).stdout().lines()
                .map(String::strip).filter(line -> !line.isEmpty()).map(Long::parseLong).toList();
    }

    /** Moves {@code link} from the host's namespace into {@code namespace}; it goes down on the way. */
    public void moveToNamespace(String link, String namespace) {
        NetworkNames.interfaceName(link);
        NetworkNames.namespaceName(namespace);
        ip("move " + link + " into namespace " + namespace, "link", "set", "dev", link, "netns", namespace);
    }

    public void addAddressIn(String namespace, String link, String cidr) {
        NetworkNames.namespaceName(namespace);
        NetworkNames.interfaceName(link);
        Cidr.parse(cidr);
        ip("add address " + cidr + " to " + link + " in namespace " + namespace,
                "-n", namespace, "address", "add", cidr, "dev", link);
    }

    public void linkUpIn(String namespace, String link) {
        NetworkNames.namespaceName(namespace);
        NetworkNames.interfaceName(link);
        ip("bring " + link + " up in namespace " + namespace, "-n", namespace, "link", "set", "dev", link, "up");
    }

    /** Adds the default route via {@code gateway} (an address) inside {@code namespace}. */
    public void addDefaultRouteIn(String namespace, String gateway) {
        NetworkNames.namespaceName(namespace);
        Cidr.parseAddress(gateway);
        ip("add default route via " + gateway + " in namespace " + namespace,
                "-n", namespace, "route", "add", "default", "via", gateway);
    }

    /** Adds a route to {@code subnet} via {@code gateway} inside {@code namespace}. */
    public void addRouteIn(String namespace, String subnet, String gateway) {
        NetworkNames.namespaceName(namespace);
        Cidr destination = Cidr.parse(subnet);
        Cidr.parseAddress(gateway);
        ip("add route to " + subnet + " via " + gateway + " in namespace " + namespace,
                "-n", namespace, "route", "add", destination.network().toString(), "via", gateway);
    }

    /** The IPv4 routes inside {@code namespace}. */
    public Routes routesIn(String namespace) {
        NetworkNames.namespaceName(namespace);
        return Routes.parse(ip("list routes in namespace " + namespace, "-n", namespace, "-4", "route", "show", "table", "all").stdout());
    }

    /**
     * Runs {@code argv} inside {@code namespace} ({@code ip netns exec}) and returns its result whatever its exit
     * code: callers probing connectivity expect failures and read them.
     */
    public CommandResult execIn(String namespace, List<String> argv) {
        return execIn(namespace, timeout, argv);
    }

    /** Like {@link #execIn(String, List)} with a timeout of its own. */
    public CommandResult execIn(String namespace, Duration commandTimeout, List<String> argv) {
        return Command.run(commandTimeout, inNamespace(namespace, argv));
    }

    /**
     * Starts a long-running {@code argv} inside {@code namespace} and returns it. Its stdin stays a pipe to this JVM,
     * so a server that exits at end of input (like {@link EchoServer}) goes away with this JVM even when nobody
     * closes it. The caller must drain stdout and stderr (a full pipe stalls the process) and end the process.
     */
    public Process startIn(String namespace, List<String> argv) {
        List<String> full = inNamespace(namespace, argv);
        try {
            return new ProcessBuilder(full).start();
        } catch (IOException e) {
            throw new VirtunitException("cannot start " + Command.render(full) + " in namespace " + namespace + ": "
                    + e.getMessage(), e);
        }
    }

    private static List<String> inNamespace(String namespace, List<String> argv) {
        NetworkNames.namespaceName(namespace);
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("no command to run in namespace " + namespace);
        }
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        full.addAll(argv);
        return full;
    }

    private void endProcesses(String namespace, List<Long> pids) {
        List<ProcessHandle> handles = pids.stream().map(ProcessHandle::of).flatMap(java.util.Optional::stream).toList();
        handles.forEach(ProcessHandle::destroy);
        for (ProcessHandle handle : handles) {
            try {
                handle.onExit().get(TERM_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                handle.destroyForcibly();
                awaitExit(handle, namespace);
            } catch (ExecutionException e) {
                throw new VirtunitException("cannot wait for process " + handle.pid() + " in namespace " + namespace, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new VirtunitException("interrupted while ending the processes in namespace " + namespace, e);
            }
        }
    }

    private static void awaitExit(ProcessHandle handle, String namespace) {
        CompletableFuture<ProcessHandle> exit = handle.onExit();
        try {
            exit.get(TERM_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            throw new VirtunitException("process " + handle.pid() + " in namespace " + namespace
                    + " survived SIGKILL for " + TERM_GRACE.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VirtunitException("interrupted while ending the processes in namespace " + namespace, e);
        }
    }

    // ---------------------------------------------------------------- sysctls

    /**
     * Reads a sysctl such as {@code net.ipv4.ip_forward} from its {@code /proc/sys} file (no {@code sysctl}
     * binary needed). A key may also be given as a path ({@code net/ipv4/conf/vu1.5/forwarding}) where an
     * interface name contains dots.
     */
    public String sysctl(String key) {
        Path file = sysctlFile(key);
        try {
            return Files.readString(file, StandardCharsets.US_ASCII).strip();
        } catch (IOException e) {
            throw new VirtunitException("cannot read sysctl " + key + " from " + file + ": " + e, e);
        }
    }

    /** Writes a sysctl through its {@code /proc/sys} file. */
    public void setSysctl(String key, String value) {
        Path file = sysctlFile(key);
        Objects.requireNonNull(value, "value");
        try {
            Files.writeString(file, value + "\n", StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new VirtunitException("cannot set sysctl " + key + " to '" + value + "' through " + file + ": " + e, e);
        }
    }

    /** Whether the sysctl exists (its module is loaded). */
    public boolean sysctlExists(String key) {
        return Files.exists(sysctlFile(key));
    }

    /** The {@code /proc/sys} file of a sysctl key; rejects keys that could leave {@code /proc/sys}. */
    static Path sysctlFile(String key) {
        if (key == null || !SYSCTL_KEY.matcher(key).matches() || key.contains("..")) {
            throw new IllegalArgumentException("sysctl key '" + key + "' is not like net.ipv4.ip_forward "
                    + "(letters, digits, '_', '-', and '.' or '/' as separators)");
        }
        return PROC_SYS.resolve(key.contains("/") ? key : key.replace('.', '/'));
    }

    // ---------------------------------------------------------------- plumbing

    private CommandResult ip(String what, String... args) {
        List<String> argv = new ArrayList<>(args.length + 1);
        argv.add("ip");
        argv.addAll(List.of(args));
        return check(what, argv);
    }

    private CommandResult check(String what, List<String> argv) {
        try {
            return Command.check(timeout, argv);
        } catch (CommandFailedException e) {
            throw new VirtunitException("cannot " + what + ": " + e.getMessage(), e);
        }
    }
}
