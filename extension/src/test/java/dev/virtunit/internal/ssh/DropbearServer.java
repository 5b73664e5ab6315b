package dev.virtunit.internal.ssh;

import java.io.File;
import dev.virtunit.internal.host.Command;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A real SSH server on loopback for tests: dropbear, with a host key and an authorized key of the test's choosing.
 *
 * <p>dropbear reads authorized_keys only from the home directory in the password database, and has no option to
 * look elsewhere. Rather than touch this machine's {@code ~/.ssh}, the server runs in a private mount namespace
 * ({@code unshare --mount}) where a temporary directory is bind-mounted over the home directory: the server and
 * the commands it runs see the temporary home, nothing else on the machine does, and the mount disappears with
 * the process. That needs root (CAP_SYS_ADMIN), which {@link #whyUnavailable()} checks along with the programs.
 */
final class DropbearServer implements AutoCloseable {

    private static final Path DROPBEAR = Path.of("/usr/sbin/dropbear");
    private static final List<Path> DROPBEARCONVERT = List.of(Path.of("/usr/bin/dropbearconvert"),
            Path.of("/usr/lib/dropbear/dropbearconvert"));
    private static final Path UNSHARE = Path.of("/usr/bin/unshare");
    private static final Path SFTP_SERVER = Path.of("/usr/lib/sftp-server");

    private final Path dir;
    private final Path home;
    private final Path hostKeyFile;
    private final Path log;
    private final int port;
    private Process process;
    private boolean tcpForwarding = true;

    /**
     * Prepares (does not start) a server presenting {@code hostKey} that lets in whoever holds the private half of
     * {@code authorizedKey}, as the user running the tests.
     */
    DropbearServer(Path dir, SshKeyPair hostKey, SshKeyPair authorizedKey) throws IOException {
        this.dir = dir;
        this.home = Files.createDirectories(dir.resolve("home"));
        this.log = dir.resolve("dropbear.log");
        this.port = freeLoopbackPort();
        // dropbear refuses keys in a home or ~/.ssh that others can write to.
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwx------"));
        Path ssh = Files.createDirectories(home.resolve(".ssh"));
        Files.setPosixFilePermissions(ssh, PosixFilePermissions.fromString("rwx------"));
        Path authorizedKeys = Files.writeString(ssh.resolve("authorized_keys"), authorizedKey.publicKeyLine() + "\n");
        Files.setPosixFilePermissions(authorizedKeys, PosixFilePermissions.fromString("rw-------"));

        Path openssh = Files.writeString(dir.resolve("host_key.openssh"), hostKey.privateKeyOpenSsh());
        Files.setPosixFilePermissions(openssh, PosixFilePermissions.fromString("rw-------"));
        this.hostKeyFile = dir.resolve("host_key.dropbear");
        Command.check(Duration.ofSeconds(30), dropbearconvert().orElseThrow().toString(), "openssh", "dropbear",
                openssh.toString(), hostKeyFile.toString());
    }

    /** Why the server cannot run here, or empty if it can. */
    static Optional<String> whyUnavailable() {
        if (!Files.isExecutable(DROPBEAR)) {
            return Optional.of("dropbear is not installed (" + DROPBEAR + "; apt-get install dropbear-bin)");
        }
        if (dropbearconvert().isEmpty()) {
            return Optional.of("dropbearconvert is not installed (looked in " + DROPBEARCONVERT + ")");
        }
        if (!Files.isExecutable(UNSHARE)) {
            return Optional.of("unshare (util-linux) is not installed; it keeps the test server's authorized_keys "
                    + "out of the real home directory");
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            return Optional.of("the dropbear test server needs root to bind-mount a temporary home directory in a "
                    + "private mount namespace; running as " + System.getProperty("user.name"));
        }
        if (!Files.isDirectory(Path.of(System.getProperty("user.home")))) {
            return Optional.of("home directory " + System.getProperty("user.home") + " does not exist");
        }
        return Optional.empty();
    }

    static boolean hasSftpServer() {
        return Files.isExecutable(SFTP_SERVER);
    }

    /** Starts the server and returns once it accepts connections. */
    /**
     * A started server in {@code dir/server}, or the calling test skipped with the reason this host cannot run one.
     */
    static DropbearServer startOrSkip(Path dir, SshKeyPair hostKey, SshKeyPair authorizedKey) throws IOException {
        String why = whyUnavailable().orElse(null);
        assumeTrue(why == null, () -> "skipped: " + why);
        return new DropbearServer(Files.createDirectories(dir.resolve("server")), hostKey, authorizedKey).start();
    }

    /** From the next {@link #start()} on, refuses TCP forwarding ({@code -j -k}), as a locked-down host does. */
    DropbearServer withoutTcpForwarding() {
        this.tcpForwarding = false;
        return this;
    }

    DropbearServer start() throws IOException {
        String script = "mount --bind \"$1\" \"$2\" && exec \"$3\" -F -E -s -p \"127.0.0.1:$4\" -r \"$5\" -P \"$6\""
                + (tcpForwarding ? "" : " -j -k");
        process = new ProcessBuilder(UNSHARE.toString(), "--mount", "--propagation", "private", "sh", "-c", script,
                "dropbear-in-private-home", home.toString(), System.getProperty("user.home"), DROPBEAR.toString(),
                Integer.toString(port), hostKeyFile.toString(), dir.resolve("dropbear.pid").toString())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        Process started = process;
        await("dropbear listening on 127.0.0.1:" + port)
                .atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(25))
                .failFast(() -> {
                    if (!started.isAlive()) {
                        throw new IllegalStateException("dropbear exited with " + started.exitValue() + ": " + log());
                    }
                })
                .until(() -> accepts(port));
        return this;
    }

    /** Kills the server and every session it forked, as a guest reboot would, and waits until they are gone. */
    void stop() {
        if (process == null) {
            return;
        }
        List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
        all.add(process.toHandle());
        all.forEach(ProcessHandle::destroyForcibly);
        // Sessions are not our children, and the JDK polls those slowly in onExit(); ask often instead.
        await("dropbear (pid " + process.pid() + ") and its sessions to die")
                .atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> all.stream().allMatch(DropbearServer::isGone));
        process = null;
    }

    int port() {
        return port;
    }

    /** The home directory the server's sessions see (a temporary one). */
    Path home() {
        return home;
    }

    String log() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        stop();
    }

    /**
     * Dead, or a zombie: a killed session is re-parented to PID 1, which in some containers reaps only now and
     * then, and the JDK counts a zombie as alive. A zombie holds no sockets any more, which is what matters here.
     */
    private static boolean isGone(ProcessHandle process) {
        if (!process.isAlive()) {
            return true;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
            // "pid (comm) S ...": the state follows the last ')', since comm may itself contain one.
            int end = stat.lastIndexOf(')');
            return end > 0 && stat.length() > end + 2 && stat.charAt(end + 2) == 'Z';
        } catch (IOException e) {
            return true; // gone between the two checks
        }
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static int freeLoopbackPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static Optional<Path> dropbearconvert() {
        return DROPBEARCONVERT.stream().filter(Files::isExecutable).findFirst();
    }
}
