package dev.virtunit.internal.net;

import dev.virtunit.VirtunitException;
import dev.virtunit.internal.host.CommandFailedException;
import dev.virtunit.internal.host.CommandResult;
import dev.virtunit.internal.host.HostCommands;
import dev.virtunit.internal.host.HostProcess;
import org.awaitility.core.ConditionTimeoutException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.awaitility.Awaitility.await;

/**
 * Network namespaces through {@code ip netns}: creating one, deleting it together with the processes still inside,
 * and running commands and long-running programs in it ({@code ip netns exec}). Stand-in guests and the upstream
 * host of a NAT test are namespaces.
 *
 * @since 0.2
 */
public final class NetworkNamespaces {

    /** How long processes left in a namespace get to exit after SIGTERM, and again after SIGKILL. */
    private static final Duration TERM_GRACE = Duration.ofSeconds(5);

    private final NetCommands commands;

    public NetworkNamespaces(HostCommands host) {
        this.commands = new NetCommands(host);
    }

    /** Creates a network namespace and brings its loopback up (servers inside may bind to it, tools expect it). */
    public void addNamespace(String namespace) {
        NetworkNames.namespaceName(namespace);
        commands.ip("create network namespace " + namespace, "netns", "add", namespace);
        commands.ip("bring lo up in namespace " + namespace, "-n", namespace, "link", "set", "dev", "lo", "up");
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
        endProcesses(namespace);
        CommandResult result = commands.run(List.of("ip", "netns", "del", namespace));
        if (!result.succeeded() && namespaceExists(namespace)) {
            throw NetCommands.failed("delete network namespace " + namespace, result);
        }
    }

    public boolean namespaceExists(String namespace) {
        NetworkNames.namespaceName(namespace);
        return namespaces().contains(namespace);
    }

    /** The names of the network namespaces {@code ip netns} knows. */
    public List<String> namespaces() {
        return parseNamespaceNames(commands.ip("list network namespaces", "netns", "list").stdout());
    }

    /** The namespace names in {@code ip netns list} output ({@code name (id: 3)} or just {@code name}). */
    static List<String> parseNamespaceNames(String ipOutput) {
        return ipOutput.lines().map(String::strip).filter(line -> !line.isEmpty())
                .map(line -> line.split("\\s+")[0]).toList();
    }

    /** The process ids running in {@code namespace}. */
    public List<Long> pidsIn(String namespace) {
        NetworkNames.namespaceName(namespace);
        return commands.ip("list processes in namespace " + namespace, "netns", "pids", namespace).stdout().lines()
                .map(String::strip).filter(line -> !line.isEmpty()).map(Long::parseLong).toList();
    }

    /**
     * Runs {@code argv} inside {@code namespace} ({@code ip netns exec}) and returns its result whatever its exit
     * code: callers probing connectivity expect failures and read them.
     */
    public CommandResult execIn(String namespace, List<String> argv) {
        return execIn(namespace, commands.timeout(), argv);
    }

    /** Like {@link #execIn(String, List)} with a timeout of its own. */
    public CommandResult execIn(String namespace, Duration commandTimeout, List<String> argv) {
        return commands.host().run(commandTimeout, inNamespace(namespace, argv));
    }

    /**
     * Starts a long-running {@code argv} inside {@code namespace} and returns it. Its stdin stays a pipe to this JVM,
     * so a server that exits at end of input (like {@link EchoServer}) goes away with this JVM even when nobody
     * closes it. The caller must drain stdout and stderr (a full pipe stalls the process) and end the process.
     */
    public HostProcess startIn(String namespace, List<String> argv) {
        List<String> full = inNamespace(namespace, argv);
        try {
            return commands.host().start(full);
        } catch (CommandFailedException e) {
            throw new VirtunitException("cannot start " + String.join(" ", argv) + " in namespace " + namespace + ": "
                    + e.getMessage(), e);
        }
    }

    /** {@code ip netns exec namespace argv...}. */
    static List<String> inNamespace(String namespace, List<String> argv) {
        NetworkNames.namespaceName(namespace);
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("no command to run in namespace " + namespace);
        }
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        full.addAll(argv);
        return full;
    }

    private void endProcesses(String namespace) {
        List<Long> pids = pidsIn(namespace);
        if (pids.isEmpty()) {
            return;
        }
        signal("TERM", pids);
        List<Long> left = survivors(namespace, pids);
        if (left.isEmpty()) {
            return;
        }
        signal("KILL", left);
        left = survivors(namespace, left);
        if (!left.isEmpty()) {
            throw new VirtunitException("processes " + left + " in namespace " + namespace + " survived SIGKILL for "
                    + TERM_GRACE.toSeconds() + " s");
        }
    }

    private void signal(String signal, List<Long> pids) {
        List<String> argv = new ArrayList<>(List.of("kill", "-s", signal));
        pids.forEach(pid -> argv.add(Long.toString(pid)));
        // Not checked: a process that ended meanwhile makes kill fail for it alone, and the others still get the signal.
        commands.run(argv);
    }

    /** Which of {@code pids} are still in {@code namespace} after waiting up to {@link #TERM_GRACE} for them to go. */
    private List<Long> survivors(String namespace, List<Long> pids) {
        try {
            await("processes " + pids + " in namespace " + namespace + " ending")
                    .atMost(TERM_GRACE)
                    .pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> pidsIn(namespace).stream().noneMatch(pids::contains));
            return List.of();
        } catch (ConditionTimeoutException e) {
            return pidsIn(namespace).stream().filter(pids::contains).toList();
        }
    }
}
