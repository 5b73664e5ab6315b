package dev.virtunit.internal.ssh;

import dev.virtunit.observe.ExecResult;
import dev.virtunit.VirtunitException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static dev.virtunit.assertions.VirtunitAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@link SshjSsh} against a real SSH server, dropbear on loopback (see {@link DropbearServer}). */
class SshjSshDropbearTest {

    private final SshKeyPair hostKey = SshKeyPair.generateEd25519("host@dropbear-test");
    private final SshKeyPair clientKey = SshKeyPair.generateEd25519("virtunit@dropbear-test");
    private final String user = System.getProperty("user.name");

    @TempDir
    Path dir;

    private DropbearServer server;
    private SshjSsh ssh;

    @BeforeEach
    void startServer() throws Exception {
        server = DropbearServer.startOrSkip(dir, hostKey, clientKey);
        ssh = new SshjSsh(target());
    }

    @AfterEach
    void stopServer() {
        if (ssh != null) {
            ssh.close();
        }
        if (server != null) {
            server.stop();
        }
    }

    private SshTarget target() {
        return SshTarget.of("127.0.0.1", server.port(), user, clientKey, hostKey.sha256Fingerprint());
    }

    private String address() {
        return user + "@127.0.0.1:" + server.port();
    }

    @Test
    void execReturnsBothOutputsAndTheExitCode() {
        ExecResult result = ssh.exec("echo out; echo err >&2; exit 3");

        assertThat(result).hasExitCode(3).hasStdout("out").stderrContains("err");
        assertThat(result.command()).isEqualTo("echo out; echo err >&2; exit 3");
        assertThat(result.stdout()).isEqualTo("out\n");
        assertThat(result.stderr()).isEqualTo("err\n");
        assertThat(result.duration()).isPositive();
    }

    @Test
    void aSuccessAndAFailureAreBothResults() {
        assertThat(ssh.exec("true")).succeeded().stderrIsEmpty();
        assertThat(ssh.exec("ls /no/such/dir")).failed().stderrContains("/no/such/dir");
    }

    @Test
    void largeOutputOnBothStreamsDoesNotStall() {
        // More than any SSH window on each stream at once: reading one after the other would deadlock.
        ExecResult result = ssh.exec("head -c 3000000 /dev/zero | tr '\\0' o; head -c 3000000 /dev/zero | tr '\\0' e >&2; "
                + "head -c 3000000 /dev/zero | tr '\\0' O");

        assertThat(result).succeeded();
        assertThat(result.stdout()).hasSize(6_000_000);
        assertThat(result.stderr()).hasSize(3_000_000);
    }

    @Test
    void commandsSeeTheEndOfStdinAtOnce() {
        assertThat(ssh.exec("cat; echo done", Duration.ofSeconds(20))).succeeded().hasStdout("done");
    }

    @Test
    void aCommandThatOutlivesItsTimeoutIsReportedWithWhatItPrinted() {
        assertThatThrownBy(() -> ssh.exec("echo started; sleep 30", Duration.ofSeconds(1)))
                .isInstanceOf(VirtunitException.class)
                .hasMessage("`echo started; sleep 30` on " + address() + " did not finish within 1s; stdout so far: "
                        + "[started], stderr so far: []. (A background process that keeps stdout or stderr open "
                        + "keeps the command open too: redirect its output, e.g. `daemon > /dev/null 2>&1 &`.)");

        assertThat(ssh.exec("echo still usable")).succeeded().hasStdout("still usable");
    }

    @Test
    void aCommandThatOutlivesItsTimeoutIsKilledInTheServerAndTheConnectionStaysUsable() {
        // A unique argument, so the check below finds this command and nothing else on the host dropbear runs on.
        String marker = "31.4159" + new Random().nextInt(1000);
        long started = System.nanoTime();

        assertThatThrownBy(() -> ssh.exec("trap '' HUP; sleep " + marker + "; echo never", Duration.ofSeconds(1)))
                .isInstanceOf(VirtunitException.class).hasMessageContaining("did not finish within 1s");

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        assertThat(ssh.exec("echo still usable")).succeeded().hasStdout("still usable");
        await("`sleep " + marker + "` to be gone").atMost(Duration.ofSeconds(5))
                .until(() -> ProcessHandle.allProcesses().noneMatch(p -> p.info().commandLine().orElse("")
                        .contains("sleep " + marker)));
    }

    @Test
    void aCommandKilledByASignalGetsMinusOneAndSaysSo() {
        ExecResult result = ssh.exec("echo before; kill -KILL $$");

        assertThat(result).hasExitCode(SshjSsh.NO_EXIT_STATUS).hasStdout("before");
        assertThat(result.stderr()).isEqualTo("virtunit: `echo before; kill -KILL $$` was killed by signal SIGKILL\n");
    }

    @Test
    void uploadAndDownloadKeepEveryByte() throws Exception {
        assumeTrue(DropbearServer.hasSftpServer(), "skipped: no /usr/lib/sftp-server for dropbear's SFTP subsystem");
        byte[] content = new byte[1_500_000];
        new Random(42).nextBytes(content);
        for (int b = 0; b < 256; b++) {
            content[b] = (byte) b;
        }
        Path original = Files.write(dir.resolve("original.bin"), content);
        Path back = dir.resolve("back.bin");
        String remote = server.home().resolve("uploaded.bin").toString();

        ssh.upload(original, remote);
        ssh.download(remote, back);

        assertThat(Files.readAllBytes(back)).isEqualTo(content);
        assertThat(ssh.exec("wc -c < " + remote)).hasStdout("1500000");
    }

    @Test
    void relativeRemotePathsAreInTheUsersHome() throws Exception {
        assumeTrue(DropbearServer.hasSftpServer(), "skipped: no /usr/lib/sftp-server for dropbear's SFTP subsystem");
        Path local = Files.writeString(dir.resolve("note.txt"), "hello guest\n");

        ssh.upload(local, "note.txt");

        assertThat(server.home().resolve("note.txt")).hasContent("hello guest");
    }

    @Test
    void transferErrorsNameBothPaths() throws Exception {
        assumeTrue(DropbearServer.hasSftpServer(), "skipped: no /usr/lib/sftp-server for dropbear's SFTP subsystem");
        Path local = Files.writeString(dir.resolve("local.txt"), "x");

        assertThatThrownBy(() -> ssh.upload(local, "/no/such/dir/file.txt"))
                .isInstanceOf(VirtunitException.class)
                .hasMessage("cannot upload " + local + " to " + address() + ":/no/such/dir/file.txt: the SFTP server "
                        + "says: No such file");
        assertThatThrownBy(() -> ssh.download("/no/such/file", dir.resolve("x")))
                .isInstanceOf(VirtunitException.class)
                .hasMessage("cannot download " + address() + ":/no/such/file to " + dir.resolve("x") + ": the SFTP "
                        + "server says: No such file");

        assertThat(ssh.exec("echo the connection survives")).succeeded();
    }

    @Test
    void reconnectsTransparentlyAfterTheServerRestarted() throws Exception {
        assertThat(ssh.exec("echo before")).hasStdout("before");

        server.stop();
        server.start();

        assertThat(ssh.exec("echo after")).succeeded().hasStdout("after");
        assertThat(ssh.exec("echo again")).succeeded().hasStdout("again");
    }

    @Test
    void aCommandRunningWhenTheConnectionDiesFailsAsConnectionLost() throws Exception {
        Path marker = server.home().resolve("running");
        CompletableFuture<ExecResult> running = CompletableFuture.supplyAsync(
                () -> ssh.exec("echo started; touch running; sleep 30"));
        await("the command to start").atMost(Duration.ofSeconds(10)).until(() -> Files.exists(marker));

        server.stop();

        assertThatThrownBy(() -> running.get(20, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(VirtunitException.class)
                .hasMessageStartingWith("lost the SSH connection to " + address()
                        + " while running `echo started; touch running; sleep 30`, after ")
                .hasMessageContaining("(did the guest reboot or stop?)")
                .hasMessageEndingWith("; stdout so far: [started], stderr so far: []");

        server.start();
        assertThat(ssh.exec("echo back")).hasStdout("back");
    }

    @Test
    void commandsRunConcurrentlyOnOneConnection() {
        ExecutorService threads = Executors.newFixedThreadPool(6);
        try {
            List<CompletableFuture<ExecResult>> runs = IntStream.range(0, 6)
                    .mapToObj(i -> CompletableFuture.supplyAsync(() -> ssh.exec("sleep 1; echo " + i), threads))
                    .toList();

            for (int i = 0; i < runs.size(); i++) {
                assertThat(runs.get(i).join()).succeeded().hasStdout(Integer.toString(i));
            }
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void aWrongHostKeyIsAMismatchNamingBothFingerprints() {
        SshKeyPair other = SshKeyPair.generateEd25519("someone-else");
        SshjSsh wrong = new SshjSsh(target().withHostKeyFingerprint(other.sha256Fingerprint()));

        assertThatThrownBy(() -> wrong.exec("true"))
                .isInstanceOf(VirtunitException.class)
                .hasMessage("host key mismatch for 127.0.0.1:" + server.port() + ": expected " + other.sha256Fingerprint()
                        + " but the server presented ssh-ed25519 " + hostKey.sha256Fingerprint() + ". Something other "
                        + "than the guest virtunit configured answers on that address, or the guest did not take the "
                        + "host key virtunit injected (did cloud-init run?)");
        wrong.close();
    }

    @Test
    void aWrongClientKeyIsARefusedLogin() {
        SshKeyPair stranger = SshKeyPair.generateEd25519("stranger");
        SshjSsh refused = new SshjSsh(target().withClientKey(stranger));

        assertThatThrownBy(refused::connect)
                .isInstanceOf(VirtunitException.class)
                .hasMessage("SSH login refused: 127.0.0.1:" + server.port() + " did not accept user " + user
                        + " with client key " + stranger.sha256Fingerprint() + ". The guest must have that key's "
                        + "public half in the user's ~/.ssh/authorized_keys (virtunit's cloud-init seed puts it there: "
                        + "did cloud-init run, and is the user right?)");
        refused.close();
    }

    /** What a guest's reboot does to the handles a test holds: the connection goes, the handle keeps working. */
    @Test
    void aDisconnectedSshLogsInAgainOnItsNextUse() {
        String before = ssh.exec("echo $PPID").stdout().strip();
        ssh.disconnect();

        assertThat(ssh.exec("echo again")).satisfies(result -> assertThat(result.stdout()).isEqualTo("again\n"));
        assertThat(ssh.exec("echo $PPID").stdout().strip()).as("a new session process after the new login")
                .isNotEqualTo(before);
    }

    @Test
    void aClosedSshRefusesFurtherUse() {
        ssh.exec("true");
        ssh.close();

        assertThatThrownBy(() -> ssh.exec("true"))
                .isInstanceOf(VirtunitException.class)
                .hasMessage("SSH to " + address() + " was closed; it cannot be used any more");
    }
}
