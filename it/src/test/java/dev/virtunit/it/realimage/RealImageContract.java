package dev.virtunit.it.realimage;

import dev.virtunit.Bridge;
import dev.virtunit.Guest;
import dev.virtunit.Ssh;
import dev.virtunit.Upstream;
import dev.virtunit.internal.ssh.SshKeyPair;
import dev.virtunit.internal.ssh.SshTarget;
import dev.virtunit.internal.ssh.SshjSsh;
import dev.virtunit.it.security.NeverEndingCommand;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceAccessMode;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.junit.jupiter.api.parallel.ResourceLocksProvider;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Set;

import java.time.Duration;

import static dev.virtunit.assertions.VirtunitAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What virtunit promises for a real distribution image (systemd, real cloud-init, OpenSSH, no busybox), through the
 * same annotations as the tiny image. Each image is a subclass that declares the topology with its image: the seed
 * notes' OVS bridge + veth + NAT toward an upstream namespace with a static guest on it, and a second guest taking
 * DHCP from a libvirt network.
 *
 * <p>The group runs under JUnit's parallel execution (its own Failsafe execution, tag {@value #TAG}): both images'
 * classes at once, and each class's methods at once. Each class has its own topology and guests, so the classes share
 * nothing. Within a class the methods share the static guests: reading them at once is safe (SSH commands run in
 * channels of their own), but the reboot takes the guest away from everyone, so it holds the class's guest lock for
 * writing while the other methods hold it for reading ({@link GuestLock}); the other class keeps running meanwhile.
 */
@Tag(RealImageContract.TAG)
@ResourceLock(providers = RealImageContract.GuestLock.class)
abstract class RealImageContract {

    /** The tag of the real-image group, which the it module's pom runs in its own parallel Failsafe execution. */
    static final String TAG = "realimage";

    /**
     * Marks a test that takes the class's guest away from the others: a reboot, or a command killed on its timeout
     * (which checks a neighbour command of its own on the same connection, and spares the others that race).
     */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.METHOD)
    @interface TakesTheGuestAway {
    }

    /** Per class: the reboot alone, everything else side by side. */
    public static final class GuestLock implements ResourceLocksProvider {
        @Override
        public Set<Lock> provideForMethod(List<Class<?>> enclosingInstanceTypes, Class<?> testClass, Method testMethod) {
            return Set.of(new Lock(testClass.getName() + ".guest", testMethod.isAnnotationPresent(TakesTheGuestAway.class)
                    ? ResourceAccessMode.READ_WRITE : ResourceAccessMode.READ));
        }
    }

    /** A test's own user-data, merged into virtunit's seed: one write_files entry and one runcmd. */
    static final String USER_DATA = """
            #cloud-config
            write_files:
              - path: /etc/virtunit-it/written
                permissions: "0644"
                content: |
                  written by write_files
            runcmd:
              - [ sh, -c, "echo runcmd ran > /var/tmp/virtunit-runcmd" ]
            """;

    /** The non-root user the seed creates, with the run's key and passwordless sudo. */
    static final String USER = "tester";

    /** Generous: a real image's first boot under software emulation on a loaded 2-core runner takes 30 to 100 s. */
    static final int BOOT_TIMEOUT_SECONDS = 600;

    abstract Guest guest();

    abstract Guest dhcpGuest();

    abstract Upstream internet();

    abstract Bridge lan();

    /** The cloud-init major version the image ships, e.g. {@code 22.}. */
    abstract String cloudInitVersionPrefix();

    @Test
    void cloudInitAppliedTheSeedWithNoErrorAndNoSchemaWarning() {
        Ssh root = guest().ssh("root");
        assertThat(root.exec("cloud-init --version 2>&1")).succeeded().stdoutContains(" " + cloudInitVersionPrefix());
        assertThat(root.exec("cloud-init status --long")).succeeded().stdoutContains("status: done");
        assertThat(root.exec("cloud-init schema --system")).succeeded();
        assertThat(root.exec("grep -E 'WARNING|ERROR|DEPRECATED' /var/log/cloud-init.log || true")).hasStdout("");
    }

    @Test
    void rootAndTheNonRootUserLogInWithTheRunsKey() {
        assertThat(guest().ssh("root").exec("id -un")).succeeded().hasStdout("root");
        assertThat(guest().ssh().exec("id -un")).succeeded().hasStdout(USER);
        assertThat(guest().ssh().exec("sudo -n id -u")).succeeded().hasStdout("0");
    }

    @Test
    void theHostKeyTheLoginVerifiesIsTheOneWeInjectedAndTheOnlyOne() {
        String verified = guest().ssh().hostKeyFingerprint().orElseThrow();
        Ssh root = guest().ssh("root");
        assertThat(root.exec("ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub")).succeeded().stdoutContains(verified);
        assertThat(root.exec("ls /etc/ssh/ | grep '^ssh_host_.*_key$'")).succeeded().hasStdout("ssh_host_ed25519_key");
    }

    @Test
    void aWrongHostKeyFailsTheLoginBeforeAnyCredentialIsTried() {
        SshKeyPair stranger = SshKeyPair.generateEd25519("stranger");
        String wrongFingerprint = SshKeyPair.generateEd25519("not-the-guest").sha256Fingerprint();
        try (SshjSsh ssh = new SshjSsh(SshTarget.of(guest().address(), 22, "root", stranger, wrongFingerprint))) {
            assertThatThrownBy(() -> ssh.exec("true"))
                    .hasMessageContaining(wrongFingerprint)
                    .hasMessageContaining(guest().ssh().hostKeyFingerprint().orElseThrow());
        }
        // The control: with the right host key the same stranger gets as far as authentication, and is refused there.
        String rightFingerprint = guest().ssh().hostKeyFingerprint().orElseThrow();
        try (SshjSsh ssh = new SshjSsh(SshTarget.of(guest().address(), 22, "root", stranger, rightFingerprint))) {
            assertThatThrownBy(() -> ssh.exec("true")).satisfies(refused ->
                    assertThat(refused.getMessage()).doesNotContain("host key").containsIgnoringCase("auth"));
        }
    }

    @Test
    @TakesTheGuestAway
    void aCommandThatNeverEndsTimesOutIsKilledInTheGuestAndTheHandleStaysUsable() {
        NeverEndingCommand.timesOutAndLeavesNothingRunning(guest().ssh("root"));
    }

    @Test
    void theHostnameIsTheGuestsName() {
        assertThat(guest().ssh().exec("hostname")).succeeded().hasStdout(guest().name());
        assertThat(guest().ssh().exec("getent hosts " + guest().name())).succeeded();
    }

    @Test
    void aStaticAddressAndTheDefaultRouteComeFromTheSeed() {
        assertThat(guest().ssh().exec("ip -4 -o address show dev eth0")).succeeded()
                .stdoutContains(" " + guest().address() + "/");
        assertThat(guest().ssh().exec("ip -4 route show default")).succeeded()
                .stdoutContains("default via " + lan().gateway());
    }

    @Test
    void aDhcpAddressComesFromTheNetworksDhcpServer() {
        assertThat(dhcpGuest().ssh().exec("ip -4 -o address show dev eth0")).succeeded()
                .stdoutContains(" " + dhcpGuest().address() + "/").stdoutContains("dynamic");
        assertThat(dhcpGuest().ssh("root").exec("cloud-init status --long")).succeeded().stdoutContains("status: done");
    }

    @Test
    void theTestsOwnUserDataRan() {
        assertThat(guest().ssh().exec("cat /etc/virtunit-it/written")).succeeded().hasStdout("written by write_files");
        assertThat(guest().ssh().exec("cat /var/tmp/virtunit-runcmd")).succeeded().hasStdout("runcmd ran");
    }

    @Test
    void natFromTheSeedNotesOvsVethTopologyTranslatesTheGuest() {
        long translatedBefore = lan().natTranslatedPackets();
        assertThat(guest()).canReach(internet()).appearsToUpstreamAs(internet(), internet().hostAddress());
        assertThat(lan().natTranslatedPackets()).isGreaterThan(translatedBefore);
        // TCP through the userspace datapath (the checksum trap): the echo service greets with the address it saw.
        assertThat(guest().ssh().exec("exec 3<>/dev/tcp/" + internet().address() + "/" + internet().tcpPort()
                + " && echo hi >&3 && timeout 5 head -n 1 <&3")).succeeded().stdoutContains(internet().hostAddress());
    }

    @Test
    @TakesTheGuestAway
    void aRebootKeepsTheDiskAndTheSameSshHandleKeepsWorking() {
        Ssh ssh = guest().ssh();
        String bootBefore = ssh.exec("cat /proc/sys/kernel/random/boot_id").stdout().strip();
        assertThat(ssh.exec("echo kept > /var/tmp/virtunit-marker && sync")).succeeded();
        guest().reboot();
        assertThat(ssh.exec("cat /var/tmp/virtunit-marker", Duration.ofSeconds(60))).succeeded().hasStdout("kept");
        assertThat(ssh.exec("cat /proc/sys/kernel/random/boot_id").stdout().strip()).isNotEqualTo(bootBefore);
    }
}
