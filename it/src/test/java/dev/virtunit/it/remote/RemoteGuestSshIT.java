package dev.virtunit.it.remote;

import dev.virtunit.Guest;
import dev.virtunit.GuestSpec;
import dev.virtunit.HostPing;
import dev.virtunit.internal.host.HostCommands;
import dev.virtunit.internal.lab.LabGuest;
import dev.virtunit.internal.lab.LabSession;
import dev.virtunit.observe.ExecResult;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A guest of a lab on the second host's libvirt URI, reached by the test exactly as a local one: readiness waits for
 * its SSH port and login through the host's SSH connection ({@code GuestRoute.through}), and {@code guest.ssh()} runs
 * commands and copies files there, though this machine has no route to the guest's network. Runs only with
 * {@code -Dvirtunit.secondHost=/var/lib/virtunit-hosts/<NAME>}, like {@link RemoteLabIT}.
 */
class RemoteGuestSshIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private static SecondHost secondHost;

    @TempDir
    Path stateDir;
    @TempDir
    Path files;

    @BeforeAll
    static void named() throws IOException {
        secondHost = SecondHost.named();
    }

    @Test
    void aGuestOnTheSecondHostIsReadyBySshAndAnswersTheTestThroughTheHost() throws IOException {
        String jumpHost = secondHost.get("user") + "@" + secondHost.get("address") + ":" + secondHost.get("port");
        try (LabSession lab = LabSession.start(secondHost.labConfig().withStateDir(stateDir))) {
            // Awaited as any guest is: its SSH port open and a login, both through the host's connection.
            Guest guest = lab.guest(GuestSpec.builder().image("virtunit:tiny").build());
            String address = guest.address();

            ExecResult result = guest.ssh().exec("hostname; echo $SSH_CONNECTION");
            Path local = Files.writeString(files.resolve("note.txt"), "to " + guest.name() + " through the host\n");
            guest.ssh().upload(local, "/tmp/note.txt");
            guest.ssh().download("/tmp/note.txt", files.resolve("back.txt"));

            assertThat(result.exitCode()).isZero();
            assertThat(result.stdout()).startsWith(guest.name() + "\n").endsWith(" " + address + " 22\n");
            assertThat(files.resolve("back.txt")).hasContent("to " + guest.name() + " through the host");
            assertThat(guest.ssh().commandLine()).contains("-J " + jumpHost + " ").endsWith("root@" + address);
            assertThat(((LabGuest) guest).howToReach()).contains("ssh -J " + jumpHost + " -i ");
            // Asked, not tried: this machine would send it to its default route, not to the second host.
            assertThat(HostCommands.local().check(TIMEOUT, List.of("ip", "-o", "route", "get", address)).stdout())
                    .doesNotContain("dev vhbr0").doesNotContain("via " + secondHost.get("address") + " ");
            // The host's ping of the guest runs on the guest's host, which has the route.
            assertThat(HostPing.ping(guest).received()).isPositive();
        }
    }
}
