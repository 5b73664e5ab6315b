package dev.virtunit.it.remote;

import dev.virtunit.internal.host.CommandResult;
import dev.virtunit.internal.host.HostCommands;
import dev.virtunit.internal.host.HostProcess;
import dev.virtunit.internal.lab.Teardown;
import dev.virtunit.internal.ssh.HostKeyPolicy;
import dev.virtunit.internal.ssh.SshCredentials;
import dev.virtunit.internal.ssh.SshHostCommands;
import dev.virtunit.internal.ssh.SshJump;
import dev.virtunit.internal.ssh.SshRoute;
import dev.virtunit.internal.ssh.SshTarget;
import dev.virtunit.internal.ssh.SshjSsh;
import dev.virtunit.observe.ExecResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A guest's SSH through its host's SSH connection ({@link SshJump}), on the second host {@code scripts/second-host up}
 * makes: a network namespace there, joined to the host's own namespace by a veth pair on a private /24 that this
 * machine has no route to, runs a dropbear server, as a guest on one of that host's bridges would. Logged in to
 * through the jump, it runs a command, takes and gives a file over SFTP, and its ports are probed as the host sees
 * them (open, closed, an address nobody has); this machine itself has no route there (asked of its kernel, not tried:
 * the attempt would leave by its real uplink). Everything
 * made on the second host is removed after. Runs only with {@code -Dvirtunit.secondHost=/var/lib/virtunit-hosts/<NAME>}
 * ({@link SecondHost#PROPERTY}).
 */
class GuestJumpIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private static SecondHost secondHost;
    private static SshHostCommands remote;
    private static final Teardown TEARDOWN = new Teardown();
    /** vu + 6 hex, like a run's, so that the names are recognisably virtunit's on the second host. */
    private static final String RUN = HexFormat.of().formatHex(new SecureRandom().generateSeed(3));
    private static final String NAMESPACE = "vu" + RUN + "jg";
    private static final String HOST_END = "vu" + RUN + "jh";
    private static final String GUEST_END = "vu" + RUN + "jn";
    /** A private /24 nobody uses: 10.213.<1..254>.0/24 (checked below on both machines). */
    private static final String SUBNET = "10.213." + (1 + new SecureRandom().nextInt(254));
    private static final String GUEST = SUBNET + ".2";
    private static final String FOLDER = "/tmp/vu" + RUN + "-jump-guest";

    private static SshjSsh guest;

    @TempDir
    static Path dir;

    @BeforeAll
    static void aGuestBehindTheSecondHost() throws IOException {
        secondHost = SecondHost.named();
        Path identityFile = Path.of(secondHost.get("identityFile"));
        remote = secondHost.commands();
        // Neither machine may know the subnet already: here only the default route may match (no packet is sent
        // there), and the second host has no default route at all.
        assertThat(HostCommands.local().check(TIMEOUT, List.of("ip", "-o", "route", "show", "to", "match", GUEST))
                .stdout().lines().toList()).allMatch(line -> line.startsWith("default "));
        assertThat(there("ip", "-o", "route", "show", "to", "match", GUEST).stdout()).isBlank();

        TEARDOWN.register("delete namespace " + NAMESPACE + " on the second host (its dropbear with it)",
                () -> {
                    CommandResult pids = remote.run(TIMEOUT, List.of("ip", "netns", "pids", NAMESPACE));
                    if (!pids.succeeded()) {
                        return;   // never made
                    }
                    List<String> running = pids.stdout().lines().toList();
                    if (!running.isEmpty()) {
                        remote.check(TIMEOUT, concat(List.of("kill", "-9"), running));
                    }
                    there("ip", "netns", "del", NAMESPACE);
                });
        there("ip", "netns", "add", NAMESPACE);
        TEARDOWN.register("delete veth " + HOST_END + " on the second host", () -> {
            if (remote.run(TIMEOUT, List.of("ip", "link", "show", HOST_END)).succeeded()) {
                there("ip", "link", "del", HOST_END);
            }
        });
        there("ip", "link", "add", HOST_END, "type", "veth", "peer", "name", GUEST_END, "netns", NAMESPACE);
        there("ip", "address", "add", SUBNET + ".1/24", "dev", HOST_END);
        there("ip", "link", "set", HOST_END, "up");
        there("ip", "-n", NAMESPACE, "address", "add", GUEST + "/24", "dev", GUEST_END);
        there("ip", "-n", NAMESPACE, "link", "set", GUEST_END, "up");
        there("ip", "-n", NAMESPACE, "link", "set", "lo", "up");

        TEARDOWN.register("remove " + FOLDER + " on the second host", () -> there("rm", "-rf", FOLDER));
        there("mkdir", "-m", "700", FOLDER);
        there("dropbearkey", "-t", "ed25519", "-f", FOLDER + "/host_key");
        String hostKey = there("dropbearkey", "-y", "-f", FOLDER + "/host_key").stdout().lines()
                .filter(line -> line.startsWith("ssh-ed25519 ")).findFirst().orElseThrow();
        Path knownHosts = Files.writeString(dir.resolve("guest_known_hosts"), GUEST + " " + hostKey + "\n");
        // root of the second host lets in the key that logs in to the host: the "guest" shares its /root.
        HostProcess dropbear = remote.start(List.of("ip", "netns", "exec", NAMESPACE, "dropbear", "-F", "-E", "-s",
                "-p", GUEST + ":22", "-r", FOLDER + "/host_key", "-P", FOLDER + "/dropbear.pid"));
        TEARDOWN.register("stop the guest's dropbear on the second host", dropbear::kill);
        await("dropbear in " + NAMESPACE + " listening on " + GUEST + ":22").atMost(TIMEOUT)
                .pollInterval(Duration.ofMillis(100)).until(() -> remote.jump().portOpen(GUEST, 22));

        guest = new SshjSsh(new SshTarget(GUEST, 22, "root", SshCredentials.ofImage(Optional.of(identityFile),
                Optional.empty()), HostKeyPolicy.knownHosts(knownHosts, GUEST, 22), SshTarget.DEFAULT_CONNECT_TIMEOUT,
                SshTarget.DEFAULT_COMMAND_TIMEOUT, identityFile, SshRoute.via(remote.jump())));
    }

    @AfterAll
    static void removeEverything() {
        if (guest != null) {
            guest.close();
        }
        try {
            TEARDOWN.run();
        } finally {
            if (remote != null) {
                remote.close();
            }
        }
    }

    private static List<String> concat(List<String> first, List<String> second) {
        return java.util.stream.Stream.concat(first.stream(), second.stream()).toList();
    }

    private static CommandResult there(String... argv) {
        return remote.check(TIMEOUT, List.of(argv));
    }

    @Test
    void aLoginThroughTheHostRunsCommandsInTheGuest() {
        ExecResult addresses = guest.exec("ip -o -4 address show dev " + GUEST_END + "; echo $SSH_CONNECTION");

        assertThat(addresses.exitCode()).isZero();
        assertThat(addresses.stdout()).contains("inet " + GUEST + "/24");
        // The guest's server sees the client at the host's end of the veth: the host made the connection.
        assertThat(addresses.stdout()).contains(SUBNET + ".1 ").endsWith(" " + GUEST + " 22\n");
        assertThat(guest.toString()).isEqualTo("SshjSsh[root@" + GUEST + ":22 via " + remote.address() + "]");
        assertThat(guest.commandLine()).isEqualTo("ssh -i " + secondHost.get("identityFile") + " -J "
                + remote.address() + " root@" + GUEST);
    }

    @Test
    void filesGoBothWaysOverSftpThroughTheHost() throws IOException {
        Path local = Files.writeString(dir.resolve("note.txt"), "from " + RUN + " through the jump\n");

        guest.upload(local, FOLDER + "/note.txt");
        guest.download(FOLDER + "/note.txt", dir.resolve("back.txt"));

        assertThat(there("cat", FOLDER + "/note.txt").stdout()).isEqualTo("from " + RUN + " through the jump\n");
        assertThat(dir.resolve("back.txt")).hasContent("from " + RUN + " through the jump");
    }

    @Test
    void portsAreProbedAsTheHostSeesThem() {
        SshJump jump = remote.jump();

        assertThat(jump.portOpen(GUEST, 22)).as("dropbear's port").isTrue();
        assertThat(jump.portOpen(GUEST, 2222)).as("a port nothing listens on").isFalse();
        assertThat(jump.portOpen(SUBNET + ".99", 22)).as("an address nobody has on the host's veth").isFalse();
    }

    @Test
    void thisMachineHasNoWayThereButThroughTheHost() {
        // Asked, not tried: the kernel's route for the guest's address is this machine's default route, toward its
        // real uplink, where tests send nothing (a connection attempt would go there; even one with ssh's
        // BindInterface only picks the source address). Neither the link the second host is on nor the second host
        // as a gateway leads there; only the host's own table has the subnet, on its veth.
        String route = HostCommands.local().check(TIMEOUT, List.of("ip", "-o", "route", "get", GUEST)).stdout();

        assertThat(route).startsWith(GUEST + " via ").doesNotContain("dev vhbr0")
                .doesNotContain("via " + secondHost.get("address") + " ");
        assertThat(there("ip", "-o", "route", "get", GUEST).stdout()).contains("dev " + HOST_END);
        assertThat(guest.exec("true").succeeded()).as("the same guest through the host").isTrue();
    }
}
