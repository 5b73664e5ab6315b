package dev.virtunit.internal.lab;

import dev.virtunit.GuestNotReadyException;
import dev.virtunit.GuestSpec;
import dev.virtunit.Seed;
import dev.virtunit.VirtunitException;
import dev.virtunit.internal.ssh.HostKeyRejectedException;
import dev.virtunit.internal.ssh.LoginRefusedException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A guest of an image without cloud-init on a fake hypervisor: no seed, DHCP or a declared address, its own login. */
class SeedlessGuestTest {

    @TempDir
    Path stateDir;
    @TempDir
    Path images;

    private final FakeHypervisor hypervisor = new FakeHypervisor();
    private Path image;
    private LabSession lab;

    @BeforeEach
    void setUp() {
        image = FakeLab.blankImage(images, "appliance.qcow2");
        lab = FakeLab.start(stateDir, hypervisor);
    }

    @AfterEach
    void close() {
        lab.close();
    }

    @Test
    void noSeedIsWrittenOrAttachedAndTheAddressComesFromTheLease() {
        LabGuest guest = lab.create(GuestSpec.builder().image(image).seed(Seed.NONE).password("secret").build(), "box");

        assertThat(hypervisor.domainXml(guest.name())).doesNotContain("seed.iso").doesNotContain("device='cdrom'")
                .contains("<mac address='" + guest.mac() + "'/>");
        assertThat(lab.pool().dir().resolve(guest.name() + "-seed.iso")).doesNotExist();
        // Not an address virtunit picked: the image asks DHCP, and the fake has no lease yet.
        assertThat(guest.addresses()).isEmpty();
        assertThatThrownBy(guest::address).hasMessageContaining("no DHCP lease for " + guest.mac());
    }

    @Test
    void aDeclaredAddressIsTakenAsTheOneTheImageSetsItself() {
        LabGuest guest = lab.create(GuestSpec.builder().image(image).seed(Seed.NONE).password("secret")
                .address("192.168.200.7/24").build(), "box");

        assertThat(guest.address()).isEqualTo("192.168.200.7");
        assertThat(guest.ssh().user()).isEqualTo("root");
        assertThat(guest.howToReach()).startsWith("guest " + guest.name() + ": ssh -o StrictHostKeyChecking=accept-new root@192.168.200.7");
    }

    @Test
    void aGuestWithNoLoginSaysSoWhenSshIsAskedFor() {
        LabGuest guest = lab.create(GuestSpec.builder().image(image).seed(Seed.NONE).awaitSsh(false)
                .address("192.168.200.8/24").build(), "quiet");

        assertThatThrownBy(guest::ssh).isInstanceOf(VirtunitException.class).hasMessage("guest " + guest.name()
                + " has seed NONE and no login: virtunit put no key into it. Declare the login the image has "
                + "(identityFile or password) to use ssh()");
    }

    @Test
    void failuresWaitingCannotMendEndTheWaitNamingTheGuest() {
        HostKeyRejectedException changed = new HostKeyRejectedException("host key of 10.0.0.5:22 changed", null);

        assertThatThrownBy(() -> GuestLogin.finalFailureNamed("vu-1-box", () -> {
            throw changed;
        })).isInstanceOf(GuestNotReadyException.class).hasMessage("guest vu-1-box will not become ready: host key of "
                + "10.0.0.5:22 changed").hasCause(changed);
        assertThat(GuestLogin.worthRetrying(changed)).isFalse();
        assertThat(GuestLogin.worthRetrying(new LoginRefusedException("refused", null))).isFalse();
        assertThat(GuestLogin.worthRetrying(new GuestNotReadyException("x", null))).isFalse();
        // Anything else (nothing listens yet, a lease not there yet) may still pass.
        assertThat(GuestLogin.worthRetrying(new VirtunitException("cannot connect to 10.0.0.5:22"))).isTrue();
        assertThat(GuestLogin.finalFailureNamed("g", () -> "ok")).isEqualTo("ok");
    }
}
