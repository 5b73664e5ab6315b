package dev.virtunit.internal.net;

import dev.virtunit.VirtunitException;
import dev.virtunit.internal.host.HostProcess;
import dev.virtunit.internal.host.ProcessOutput;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

import static org.awaitility.Awaitility.await;

/**
 * A running {@link EchoServer} inside a network namespace, and what it has seen: every TCP connection and UDP
 * datagram with its source address, read from the server's stdout on a reader thread. Tests use it as the
 * upstream of a NAT ({@link UpstreamNamespace}) or as a service inside a stand-in guest (port forwards).
 *
 * @since 0.1
 */
public final class EchoService implements AutoCloseable {

    /** A JVM starts in about half a second here; a loaded 2-core CI runner is allowed much more. */
    public static final Duration DEFAULT_READY_TIMEOUT = Duration.ofSeconds(30);

    private static final Duration STOP_GRACE = Duration.ofSeconds(5);
    private static final int STDERR_KEPT = 8192;

    private final String namespace;
    private final HostProcess process;
    private final List<Peer> peers = new CopyOnWriteArrayList<>();
    private final StringBuilder stderr = new StringBuilder();
    private volatile int tcpPort = -1;
    private volatile int udpPort = -1;
    private final Duration readyTimeout;
    /** Set once the server listened; a failure to get ready is kept, so every later call reports the same one. */
    private volatile boolean ready;
    private volatile RuntimeException notReady;

    private EchoService(String namespace, HostProcess process, Duration readyTimeout) {
        this.namespace = namespace;
        this.process = process;
        this.readyTimeout = readyTimeout;
    }

    /** Starts an echo server in {@code namespace} on the given ports (0: any free port) and waits for it to listen. */
    public static EchoService start(NetworkNamespaces namespaces, String namespace, int tcpPort, int udpPort) {
        return start(namespaces, namespace, tcpPort, udpPort, DEFAULT_READY_TIMEOUT);
    }

    public static EchoService start(NetworkNamespaces namespaces, String namespace, int tcpPort, int udpPort,
                                    Duration readyTimeout) {
        EchoService service = startListening(namespaces, namespace, tcpPort, udpPort, readyTimeout);
        service.awaitReady();
        return service;
    }

    /**
     * Starts an echo server without waiting for it: its JVM takes a few hundred milliseconds to listen, which a lab
     * spends booting guests instead. Every method that needs it listening ({@link #tcpPort()}, the peers) waits for it
     * first ({@link #awaitReady()}), up to {@code readyTimeout}.
     */
    public static EchoService startListening(NetworkNamespaces namespaces, String namespace, int tcpPort, int udpPort,
                                             Duration readyTimeout) {
        return startListening(JavaLauncher.local(), namespaces, namespace, tcpPort, udpPort, readyTimeout);
    }

    /**
     * As {@link #startListening(NetworkNamespaces, String, int, int, Duration)}, the server run by {@code java} (the
     * host's own, on a remote host).
     *
     * @since 0.4
     */
    public static EchoService startListening(JavaLauncher java, NetworkNamespaces namespaces, String namespace,
                                             int tcpPort, int udpPort, Duration readyTimeout) {
        checkPort("TCP", tcpPort);
        checkPort("UDP", udpPort);
        HostProcess process = namespaces.startIn(namespace, java.argv(EchoServer.class,
                Integer.toString(tcpPort), Integer.toString(udpPort)));
        EchoService service = new EchoService(namespace, process, readyTimeout);
        service.readOutputs();
        return service;
    }

    private static void checkPort(String what, int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(what + " port " + port + " is not between 0 (any) and 65535");
        }
    }

    private void readOutputs() {
        // Either stream ends when the server does; nothing more will come then, so a read failure is no news.
        ProcessOutput.forEachLine(process.stdout(), this::onLine);
        ProcessOutput.forEachLine(process.stderr(), line -> {
            synchronized (stderr) {
                stderr.append(line).append('\n');
                if (stderr.length() > STDERR_KEPT) {
                    stderr.delete(0, stderr.length() - STDERR_KEPT);
                }
            }
        });
    }

    private void onLine(String line) {
        if (line.startsWith("READY ")) {
            String[] fields = line.split(" ");
            // READY tcp <port> udp <port>
            tcpPort = Integer.parseInt(fields[2]);
            udpPort = Integer.parseInt(fields[4]);
            return;
        }
        synchronized (peers) {
            Peer.parse(peers.size(), line).ifPresent(peers::add);
        }
    }

    /**
     * Waits until the server listens (at once when it already does). A server that exits or does not listen within
     * its ready timeout is killed, and this and every later call throw the same error.
     */
    public void awaitReady() {
        if (ready) {
            return;
        }
        synchronized (this) {
            if (ready) {
                return;
            }
            if (notReady != null) {
                throw notReady;
            }
            try {
                await("echo server in namespace " + namespace + " listening")
                        .atMost(readyTimeout)
                        .pollDelay(Duration.ZERO)
                        .pollInterval(Duration.ofMillis(20))
                        .failFast("echo server in namespace " + namespace + " exited", () -> !process.isAlive())
                        .until(() -> tcpPort >= 0 && udpPort >= 0);
                ready = true;
            } catch (TerminalFailureException | ConditionTimeoutException e) {
                notReady = new VirtunitException("echo server in namespace " + namespace + " did not get ready"
                        + (process.isAlive() ? " within " + readyTimeout : " (exit code " + exitCode() + ")")
                        + "; its stderr: " + stderr().strip(), e);
                close();
                throw notReady;
            }
        }
    }

    public String namespace() {
        return namespace;
    }

    public int tcpPort() {
        awaitReady();
        return tcpPort;
    }

    public int udpPort() {
        awaitReady();
        return udpPort;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Every peer seen so far, oldest first. */
    public List<Peer> peersSeen() {
        awaitReady();
        return List.copyOf(peers);
    }

    /** How many peers were seen so far; the {@link Peer#sequence()} the next one will get. */
    public int peerCount() {
        awaitReady();
        return peers.size();
    }

    public Optional<Peer> lastPeer() {
        List<Peer> seen = peersSeen();
        return seen.isEmpty() ? Optional.empty() : Optional.of(seen.get(seen.size() - 1));
    }

    /**
     * Waits for the first peer (also among those already seen) that matches, and returns it.
     *
     * @throws VirtunitException when none came within {@code timeout} or the server died; it lists the peers seen
     */
    public Peer awaitPeer(Predicate<? super Peer> matching, Duration timeout) {
        awaitReady();
        try {
            await("a matching peer at the echo server in namespace " + namespace)
                    .atMost(timeout)
                    .pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(50))
                    .failFast("echo server in namespace " + namespace + " exited", () -> !process.isAlive())
                    .until(() -> peers.stream().anyMatch(matching));
        } catch (TerminalFailureException | ConditionTimeoutException e) {
            throw new VirtunitException("no matching peer at the echo server in namespace " + namespace
                    + (process.isAlive() ? " within " + timeout : " (it exited with code " + exitCode() + ")")
                    + "; peers seen: " + peersSeen() + "; its stderr: " + stderr().strip(), e);
        }
        return peers.stream().filter(matching).findFirst().orElseThrow();
    }

    /** Waits for a peer of {@code protocol} ({@code tcp}, {@code udp}) seen after {@link #peerCount()} was {@code mark}. */
    public Peer awaitPeerAfter(int mark, String protocol, Duration timeout) {
        return awaitPeer(peer -> peer.sequence() >= mark && peer.protocol().equals(protocol), timeout);
    }

    /** The last lines the server wrote to stderr (unanswerable datagrams, for instance). */
    public String stderr() {
        synchronized (stderr) {
            return stderr.toString();
        }
    }

    private String exitCode() {
        return process.exitCode().stream().mapToObj(Integer::toString).findFirst().orElse("none yet");
    }

    /**
     * Stops the server with SIGKILL. Idempotent. It holds nothing that needs a clean end (no files; its sockets go with
     * it, and every line it printed is still read from the pipe), and a JVM that exits by itself (end of input,
     * SIGTERM) takes about 0.3 s here: HotSpot waits for the threads blocked in accept and receive, which is most
     * of an upstream's teardown.
     */
    @Override
    public void close() {
        try {
            process.kill();
            process.waitFor(STOP_GRACE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (process.isAlive()) {
            throw new VirtunitException("echo server (pid " + process.pid() + ") in namespace " + namespace
                    + " survived SIGKILL");
        }
    }
}
