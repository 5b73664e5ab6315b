package dev.virtunit.internal.ssh;

import dev.virtunit.internal.host.CommandFailedException;
import dev.virtunit.internal.host.CommandResult;
import dev.virtunit.internal.host.HostProcess;
import dev.virtunit.internal.host.ProcessOutput;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@link SshHostCommands} against a real SSH server, dropbear on loopback ({@link DropbearServer}), logging in with a
 * key file and checking the host key against a known_hosts file, as for a remote libvirt host.
 */
class SshHostCommandsDropbearTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private final SshKeyPair hostKey = SshKeyPair.generateEd25519("host@dropbear-test");
    private final SshKeyPair clientKey = SshKeyPair.generateEd25519("virtunit@dropbear-test");
    private final String user = System.getProperty("user.name");

    @TempDir
    Path dir;

    private DropbearServer server;
    private Path identityFile;
    private SshHostCommands host;

    @BeforeEach
    void startServer() throws Exception {
        server = DropbearServer.startOrSkip(dir, hostKey, clientKey);
        identityFile = Files.writeString(dir.resolve("id_ed25519"), clientKey.privateKeyOpenSsh());
        Files.setPosixFilePermissions(identityFile, PosixFilePermissions.fromString("rw-------"));
        host = commandsTrusting(knownHosts("[127.0.0.1]:" + server.port() + " " + hostKey.publicKeyLine()));
    }

    @AfterEach
    void stopServer() {
        if (host != null) {
            host.close();
        }
        if (server != null) {
            server.stop();
        }
    }

    private SshHostCommands commandsTrusting(Path knownHosts) {
        return SshHostCommands.withKeyFile(user, "127.0.0.1", server.port(), identityFile, knownHosts);
    }

    private Path knownHosts(String... lines) throws Exception {
        return Files.write(Files.createTempFile(dir, "known_hosts", ""), List.of(lines));
    }

    private String address() {
        return user + "@127.0.0.1:" + server.port();
    }

    @Test
    void runReturnsTheExitCodeAndBothOutputs() {
        CommandResult result = host.run(TIMEOUT, List.of("sh", "-c", "echo out; echo err >&2; exit 3"));

        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(result.stdout()).isEqualTo("out\n");
        assertThat(result.stderr()).isEqualTo("err\n");
        assertThat(result.argv()).containsExactly("sh", "-c", "echo out; echo err >&2; exit 3");
    }

    @Test
    void everyArgumentReachesTheProgramUnchanged() {
        CommandResult result = host.run(TIMEOUT, List.of("printf", "%s|", "a b", "it's", "$HOME", "*", "", "x;y"));

        assertThat(result.stdout()).isEqualTo("a b|it's|$HOME|*||x;y|");
    }

    @Test
    void inputReachesTheRemoteProgramsStdin() {
        byte[] script = "add table ip vu_t\n$HOME 'quoted'\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);

        assertThat(host.check(TIMEOUT, List.of("cat"), script).stdout()).isEqualTo("add table ip vu_t\n$HOME 'quoted'\n");
        assertThatThrownBy(() -> host.check(TIMEOUT, List.of("sh", "-c", "cat >&2; exit 1"), "rejected".getBytes()))
                .isInstanceOf(CommandFailedException.class)
                .hasMessageStartingWith("on " + address() + ": ")
                .hasMessageEndingWith("failed with exit code 1: rejected");
    }

    @Test
    void checkNamesTheHostTheCommandAndItsStderr() {
        assertThatThrownBy(() -> host.check(TIMEOUT, List.of("ls", "/no/such/dir")))
                .isInstanceOf(CommandFailedException.class)
                .hasMessageStartingWith("on " + address() + ": ls /no/such/dir failed with exit code 2: ")
                .hasMessageContaining("/no/such/dir")
                .satisfies(e -> assertThat(((CommandFailedException) e).result().exitCode()).isEqualTo(2));
        assertThat(host.check(TIMEOUT, List.of("true")).succeeded()).isTrue();
    }

    @Test
    void aMissingProgramCannotBeStartedAndTheMessageSaysWhere() {
        assertThatThrownBy(() -> host.run(TIMEOUT, List.of("no-such-program-vu", "--flag")))
                .isInstanceOf(CommandFailedException.class)
                .hasMessageStartingWith("cannot start no-such-program-vu --flag on " + address()
                        + ": no-such-program-vu was not found there (")
                .hasMessageEndingWith("). Install it on that host, or check the PATH of " + user + "'s login there");
    }

    @Test
    void aProgramThatItselfExits127IsAResult() {
        assertThat(host.run(TIMEOUT, List.of("sh", "-c", "exit 127")).exitCode()).isEqualTo(127);
    }

    @Test
    void aCommandThatOutlivesItsTimeoutIsKilledOnTheHostAndTheConnectionStaysUsable() {
        String marker = "27.1828" + new Random().nextInt(1000);

        assertThatThrownBy(() -> host.run(Duration.ofSeconds(1), List.of("sh", "-c", "echo started; sleep " + marker)))
                .isInstanceOf(CommandFailedException.class)
                .hasMessageStartingWith("`sh -c 'echo started; sleep " + marker + "'` on " + address()
                        + " did not finish within 1s; stdout so far: [started]");

        assertThat(host.run(TIMEOUT, List.of("echo", "still usable")).stdout()).isEqualTo("still usable\n");
        await("`sleep " + marker + "` to be gone").atMost(Duration.ofSeconds(5))
                .until(() -> ProcessHandle.allProcesses().noneMatch(p -> p.info().commandLine().orElse("")
                        .contains("sleep " + marker)));
    }

    @Test
    void aWrongHostKeyIsRefusedNamingBothKeysAndTheFile() throws Exception {
        SshKeyPair other = SshKeyPair.generateEd25519("someone-else");
        Path knownHosts = knownHosts("[127.0.0.1]:" + server.port() + " " + other.publicKeyLine());

        try (SshHostCommands wrong = commandsTrusting(knownHosts)) {
            assertThatThrownBy(() -> wrong.run(TIMEOUT, List.of("true")))
                    .isInstanceOf(CommandFailedException.class)
                    .hasMessage("host key mismatch for 127.0.0.1:" + server.port() + ": known_hosts file " + knownHosts
                            + " lists " + other.sha256Fingerprint() + " for [127.0.0.1]:" + server.port()
                            + " but the server presented ssh-ed25519 " + hostKey.sha256Fingerprint()
                            + ". Another machine answers on that address, or the host's keys were made anew: ask its "
                            + "owner before replacing the line in " + knownHosts)
                    .hasCauseInstanceOf(HostKeyRejectedException.class);
        }
    }

    @Test
    void aHostTheFileDoesNotListIsRefused() throws Exception {
        // the same key, but for the default port only: ssh, too, tells [host]:port from host
        Path knownHosts = knownHosts("127.0.0.1 " + hostKey.publicKeyLine());

        try (SshHostCommands unknown = commandsTrusting(knownHosts)) {
            assertThatThrownBy(unknown::connect)
                    .isInstanceOf(CommandFailedException.class)
                    .hasMessageStartingWith("cannot log in to " + address() + ": host key of 127.0.0.1:" + server.port()
                            + " is unknown: known_hosts file " + knownHosts + " lists no key for [127.0.0.1]:"
                            + server.port());
        }
    }

    @Test
    void hashedKnownHostsEntriesAndOtherHostsLinesAreUnderstood() throws Exception {
        String name = "[127.0.0.1]:" + server.port();
        byte[] salt = new byte[20];
        new Random(7).nextBytes(salt);
        Mac hmac = Mac.getInstance("HmacSHA1");
        hmac.init(new SecretKeySpec(salt, "HmacSHA1"));
        String hashed = "|1|" + Base64.getEncoder().encodeToString(salt) + "|"
                + Base64.getEncoder().encodeToString(hmac.doFinal(name.getBytes(StandardCharsets.US_ASCII)));
        Path knownHosts = knownHosts("# a comment", "other.example " + SshKeyPair.generateEd25519("x").publicKeyLine(),
                hashed + " " + hostKey.publicKeyLine());

        try (SshHostCommands hashedHost = commandsTrusting(knownHosts)) {
            assertThat(hashedHost.run(TIMEOUT, List.of("true")).succeeded()).isTrue();
        }
    }

    @Test
    void aMissingKnownHostsFileIsNamed() {
        Path missing = dir.resolve("no-known-hosts");

        try (SshHostCommands noFile = commandsTrusting(missing)) {
            assertThatThrownBy(() -> noFile.run(TIMEOUT, List.of("true")))
                    .isInstanceOf(CommandFailedException.class)
                    .hasMessageContaining("known_hosts file " + missing + " does not exist or is not readable");
        }
    }

    @Test
    void aHostThatDoesNotAnswerIsNamed() throws Exception {
        int closed = DropbearServer.freeLoopbackPort();

        try (SshHostCommands nobody = SshHostCommands.withKeyFile(user, "127.0.0.1", closed, identityFile,
                knownHosts("[127.0.0.1]:" + closed + " " + hostKey.publicKeyLine()))) {
            assertThatThrownBy(() -> nobody.run(TIMEOUT, List.of("true")))
                    .isInstanceOf(CommandFailedException.class)
                    .hasMessageStartingWith("cannot connect to 127.0.0.1:" + closed);
        }
    }

    @Test
    void theSshAgentsKeysAreOfferedInTurnUntilOneIsAccepted() throws Exception {
        try (TestAgent agent = TestAgent.start(dir.resolve("agent.sock"))) {
            agent.add(keyFile("other", SshKeyPair.generateEd25519("not-this-one")));
            agent.add(identityFile);

            try (SshHostCommands viaAgent = commandsWithAgent(agent.socket)) {
                assertThat(viaAgent.run(TIMEOUT, List.of("echo", "via the agent")).stdout()).isEqualTo("via the agent\n");
            }
        }
    }

    @Test
    void anAgentWhoseKeysTheHostRefusesIsNamedInTheRefusal() throws Exception {
        try (TestAgent agent = TestAgent.start(dir.resolve("agent.sock"))) {
            agent.add(keyFile("other", SshKeyPair.generateEd25519("not-this-one")));

            try (SshHostCommands viaAgent = commandsWithAgent(agent.socket)) {
                assertThatThrownBy(viaAgent::connect)
                        .isInstanceOf(CommandFailedException.class)
                        .hasMessageStartingWith("cannot log in to " + address() + ": SSH login refused: 127.0.0.1:"
                                + server.port() + " did not accept user " + user + " with the keys of the SSH agent at "
                                + agent.socket);
            }
        }
    }

    @Test
    void anAgentWithoutKeysIsNamed() throws Exception {
        try (TestAgent agent = TestAgent.start(dir.resolve("agent.sock"));
             SshHostCommands viaAgent = commandsWithAgent(agent.socket)) {
            assertThatThrownBy(() -> viaAgent.run(TIMEOUT, List.of("true")))
                    .isInstanceOf(CommandFailedException.class)
                    .hasMessage("the SSH agent at " + agent.socket + " holds no key to log in to 127.0.0.1:"
                            + server.port() + " with: add the key that host accepts with ssh-add");
        }
    }

    @Test
    void anAgentThatIsNotThereIsNamed() {
        Path socket = dir.resolve("no-agent.sock");

        try (SshHostCommands viaAgent = commandsWithAgent(socket)) {
            assertThatThrownBy(() -> viaAgent.run(TIMEOUT, List.of("true")))
                    .isInstanceOf(CommandFailedException.class)
                    .hasMessageStartingWith("cannot ask the SSH agent at " + socket + " for keys to log in to 127.0.0.1:"
                            + server.port() + ": ")
                    .hasMessageEndingWith(". Is the agent running, and is SSH_AUTH_SOCK its socket?");
        }
    }

    private SshHostCommands commandsWithAgent(Path socket) {
        try {
            return SshHostCommands.withAgent(user, "127.0.0.1", server.port(), socket,
                    knownHosts("[127.0.0.1]:" + server.port() + " " + hostKey.publicKeyLine()));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private Path keyFile(String name, SshKeyPair key) throws Exception {
        Path file = Files.writeString(dir.resolve(name), key.privateKeyOpenSsh());
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    /** A real OpenSSH agent on a socket of the test's own, in the foreground so that closing it ends it. */
    private static final class TestAgent implements AutoCloseable {
        private final Path socket;
        private final Process process;

        private TestAgent(Path socket, Process process) {
            this.socket = socket;
            this.process = process;
        }

        static TestAgent start(Path socket) throws Exception {
            assumeTrue(Files.isExecutable(Path.of("/usr/bin/ssh-agent")) && Files.isExecutable(Path.of("/usr/bin/ssh-add")),
                    "skipped: OpenSSH's ssh-agent and ssh-add are not installed (openssh-client)");
            Process process = new ProcessBuilder("/usr/bin/ssh-agent", "-D", "-a", socket.toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            TestAgent agent = new TestAgent(socket, process);
            await("ssh-agent's socket " + socket).atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                    .failFast(() -> !process.isAlive())
                    .until(() -> Files.exists(socket));
            return agent;
        }

        void add(Path keyFile) throws Exception {
            ProcessBuilder add = new ProcessBuilder("/usr/bin/ssh-add", keyFile.toString()).redirectErrorStream(true);
            add.environment().put("SSH_AUTH_SOCK", socket.toString());
            Process process = add.start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor()).as("ssh-add %s: %s", keyFile, output).isZero();
        }

        @Override
        public void close() throws Exception {
            process.destroy();
            process.waitFor();
        }
    }

    @Test
    void aStartedProgramRunsOnTheHostAndEndsAtTheEndOfItsInput() throws Exception {
        HostProcess process = host.start(List.of("sh", "-c", "echo ready; exec cat"));
        try (BufferedReader stdout = new BufferedReader(new InputStreamReader(process.stdout(), StandardCharsets.UTF_8))) {
            assertThat(stdout.readLine()).isEqualTo("ready");
            assertThat(process.pid()).isPositive();
            // dropbear runs on this machine: the pid is a real one here, the shell's until it execs cat
            await("pid " + process.pid() + " to be cat").atMost(Duration.ofSeconds(5))
                    .until(() -> ProcessHandle.of(process.pid()).flatMap(p -> p.info().command()).orElse(""),
                            command -> command.endsWith("/cat"));
            assertThat(process.isAlive()).isTrue();
            assertThat(process.exitCode()).isEmpty();

            process.closeInput();

            assertThat(process.waitFor(TIMEOUT)).isTrue();
            assertThat(process.isAlive()).isFalse();
            assertThat(process.exitCode()).hasValue(0);
        }
    }

    @Test
    void killEndsTheProgramAndWhatItStartedOnTheHost() throws Exception {
        String marker = "31.4159" + new Random().nextInt(1000);
        HostProcess process = host.start(List.of("sh", "-c", "sleep " + marker + " & wait"));
        ProcessOutput.readAll(process.stdout());
        await("`sleep " + marker + "` running").atMost(Duration.ofSeconds(5))
                .until(() -> ProcessHandle.allProcesses().anyMatch(p -> p.info().commandLine().orElse("")
                        .contains("sleep " + marker)));

        process.kill();

        assertThat(process.waitFor(TIMEOUT)).isTrue();
        assertThat(process.exitCode()).isPresent();
        assertThat(ProcessHandle.of(process.pid()).filter(ProcessHandle::isAlive)).isEmpty();
        await("`sleep " + marker + "` to be gone").atMost(Duration.ofSeconds(5))
                .until(() -> ProcessHandle.allProcesses().noneMatch(p -> p.info().commandLine().orElse("")
                        .contains("sleep " + marker)));
    }

    @Test
    void terminateSendsSigtermToTheProgram() throws Exception {
        HostProcess process = host.start(List.of("sleep", "1000"));

        process.terminate();

        assertThat(process.waitFor(TIMEOUT)).isTrue();
        assertThat(process.exitCode()).hasValue(128 + 15);
    }

    @Test
    void aMissingProgramCannotBeStarted() {
        assertThatThrownBy(() -> host.start(List.of("no-such-server-vu")))
                .isInstanceOf(CommandFailedException.class)
                .hasMessageStartingWith("cannot start no-such-server-vu on " + address()
                        + ": no-such-server-vu was not found there");
    }
}
