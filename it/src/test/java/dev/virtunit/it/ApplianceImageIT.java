package dev.virtunit.it;

import dev.virtunit.Guest;
import dev.virtunit.GuestNotReadyException;
import dev.virtunit.GuestSpec;
import dev.virtunit.GuestSpecBuilder;
import dev.virtunit.Lab;
import dev.virtunit.Seed;
import dev.virtunit.VirtunitException;
import dev.virtunit.internal.ssh.SshKeyPair;
import dev.virtunit.observe.DiskInfo;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.MatchResult;
import java.util.regex.Pattern;

import static dev.virtunit.assertions.VirtunitAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Images without cloud-init, with the tiny image's appliance variant: it reads no seed, and has its own root key,
 * root password and SSH host key, made when it was built. virtunit attaches no seed ({@code seed = NONE}), learns the
 * address from the DHCP lease, logs in with what the image has, and checks the host key by a pin or on first use.
 */
class ApplianceImageIT {

    private static final Duration BOOT = Duration.ofSeconds(120);

    private final TestHost host = TestHost.get();
    private final String hostKey = host.applianceText("tiny-appliance.hostkey.fingerprint");

    private GuestSpecBuilder appliance() {
        return GuestSpec.builder().image(host.applianceFile("tiny-appliance.qcow2")).seed(Seed.NONE).bootTimeout(BOOT);
    }

    @Test
    void loginWithTheImagesOwnKeyAndPinnedHostKeyAndNoSeedAttached() {
        Path key = host.applianceFile("tiny-appliance.key");
        try (Lab lab = Lab.start()) {
            Guest guest = lab.guest(appliance().identityFile(key).hostKey(hostKey).build());

            assertThat(guest.disks()).extracting(DiskInfo::device).doesNotContain("cdrom");
            // The image's own name and network: virtunit configured nothing inside it.
            assertThat(guest.ssh().exec("hostname")).succeeded().hasStdout("vu-appliance");
            assertThat(guest.ssh().exec("cat /run/virtunit/boot.log")).succeeded()
                    .stdoutContains("appliance, no seed reader: DHCP on the first NIC");
            // The default network leases .100 and up; .2 to .99 are what virtunit hands out statically.
            assertThat(Integer.parseInt(guest.address().substring(guest.address().lastIndexOf('.') + 1)))
                    .isBetween(100, 254);
            assertThat(guest.ssh().exec("ip -4 addr show eth0")).succeeded().stdoutContains(guest.address() + "/");
            assertThat(guest.ssh().commandLine()).isEqualTo("ssh -i " + key + " root@" + guest.address());
        }
    }

    @Test
    void aWrongPinFailsAtOnceNamingBothFingerprints() {
        String wrong = SshKeyPair.generateEd25519("not-the-appliance").sha256Fingerprint();
        try (Lab lab = Lab.start()) {
            long started = System.nanoTime();

            assertThatThrownBy(() -> lab.guest(appliance().identityFile(host.applianceFile("tiny-appliance.key"))
                    .hostKey(wrong).build()))
                    .isInstanceOf(GuestNotReadyException.class)
                    .hasMessageContaining("will not become ready: host key mismatch for ")
                    .hasMessageContaining("hostKey pins " + wrong + " but the server presented ssh-ed25519 " + hostKey);
            // Failed at the first login, not at the end of the boot timeout.
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(BOOT.dividedBy(2));
        }
    }

    @Test
    void passwordLoginTrustsTheFirstHostKeyForTheGuestsWholeLife() {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream stderr = System.err;
        try (Lab lab = Lab.start()) {
            Guest guest;
            // slf4j-simple writes to whatever System.err is at the time: copy it to read the trust line.
            System.setErr(new PrintStream(new Tee(stderr, log), true, StandardCharsets.UTF_8));
            try {
                guest = lab.guest(appliance().password(host.applianceText("tiny-appliance.password")).build());
            } finally {
                System.setErr(stderr);
            }
            assertThat(guest.ssh().exec("id -u")).succeeded().hasStdout("0");
            assertThat(log.toString(StandardCharsets.UTF_8)).contains("trusting its SSH host key ssh-ed25519 " + hostKey
                    + " on first use; to pin it, declare hostKey = \"" + hostKey + "\"");

            // The image makes itself a new host key for its next boot: after the reboot the trusted key is missing.
            assertThat(guest.ssh().exec("dropbearkey -t ed25519 -f /etc/dropbear/new >/dev/null && "
                    + "mv /etc/dropbear/new /etc/dropbear/dropbear_ed25519_host_key && sync")).succeeded();
            Throwable changed = catchThrowable(guest::reboot);
            assertThat(changed).isInstanceOf(GuestNotReadyException.class)
                    .hasMessageContaining("guest " + guest.name() + " will not become ready: host key of ")
                    .hasMessageContaining("changed: ssh-ed25519 " + hostKey + " was trusted on first use, but now the "
                            + "server presents ssh-ed25519 SHA256:");
            assertThat(fingerprintsIn(changed.getMessage())).hasSize(2).doesNotHaveDuplicates();
        }
    }

    @Test
    void readyWhenTheConsoleShowsTheLoginLineWithoutSsh() {
        try (Lab lab = Lab.start()) {
            Guest guest = lab.guest(appliance().awaitSsh(false).readyWhen("login:").build());

            assertThat(guest.consoleLog()).contains("vu-appliance login:");
            // The last boot's line does not count: reboot waits for the next one.
            guest.reboot();
            assertThat(Pattern.compile("vu-appliance login:").matcher(guest.consoleLog()).results().count()).isEqualTo(2);
            assertThatThrownBy(guest::ssh).isInstanceOf(VirtunitException.class)
                    .hasMessageContaining("has seed NONE and no login");
        }
    }

    @Test
    void aConsoleLineThatNeverComesFailsNamingIt() {
        try (Lab lab = Lab.start()) {
            assertThatThrownBy(() -> lab.guest(appliance().awaitSsh(false).readyWhen("^router\\d+ login:")
                    .bootTimeout(Duration.ofSeconds(20)).build()))
                    .isInstanceOf(GuestNotReadyException.class)
                    .hasMessageContaining("was not ready within 20 s: waiting for 'console shows '^router\\d+ login:''")
                    .hasMessageContaining("vu-appliance login:");
        }
    }

    private static List<String> fingerprintsIn(String message) {
        return Pattern.compile("SHA256:[A-Za-z0-9+/]{43}").matcher(message).results().map(MatchResult::group)
                .distinct().toList();
    }

    /** Writes to the real stderr and to a copy. */
    private static final class Tee extends OutputStream {
        private final PrintStream first;
        private final ByteArrayOutputStream second;

        Tee(PrintStream first, ByteArrayOutputStream second) {
            this.first = first;
            this.second = second;
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public synchronized void write(byte[] bytes, int offset, int length) {
            first.write(bytes, offset, length);
            second.write(bytes, offset, length);
        }
    }
}
