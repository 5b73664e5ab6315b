package dev.virtunit.it.security;

import dev.virtunit.Guest;
import dev.virtunit.Ssh;
import dev.virtunit.internal.host.Command;
import dev.virtunit.junit.LibvirtGuest;
import dev.virtunit.junit.LibvirtTest;
import dev.virtunit.observe.GuestState;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static dev.virtunit.assertions.VirtunitAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What a guest cannot get away with: one that ignores the ACPI power button is forced off by {@link Guest#shutdown}
 * within its grace period, and a command that never ends is killed in the guest when it times out. On the tiny
 * image (busybox acpid, dropbear: the SSH "signal" request reaches only the login shell there) and on Debian 12
 * (systemd-logind handles the power button; OpenSSH). The Debian images' other checks are in RealImageContract.
 */
@LibvirtTest
class MisbehavingGuestIT {

    private static final Duration GRACE = Duration.ofSeconds(8);

    @Test
    void aTinyGuestThatIgnoresAcpiIsForcedOffWithinTheGracePeriod(
            @LibvirtGuest(image = "${virtunit.testImage}") Guest tiny) {
        // busybox acpid runs the power button's script; without it the button press goes nowhere.
        assertThat(tiny.ssh().exec("killall acpid")).succeeded();
        await("acpid to be gone").atMost(Duration.ofSeconds(30)).until(() -> !tiny.ssh().exec("pidof acpid").succeeded());

        assertForcedOffWithinGrace(tiny);
    }

    @Test
    void aDebianGuestThatIgnoresAcpiIsForcedOffWithinTheGracePeriod(
            @LibvirtGuest(image = "${virtunit.debian12Image}", memoryMiB = 512, vcpus = 2, bootTimeoutSeconds = 600)
            Guest debian) {
        Ssh root = debian.ssh("root");
        // systemd-logind turns the power button (the key event ACPI's button driver makes) into a poweroff.
        assertThat(root.exec("mkdir -p /etc/systemd/logind.conf.d && printf '[Login]\\nHandlePowerKey=ignore\\n' "
                + "> /etc/systemd/logind.conf.d/virtunit-ignore-power-key.conf && systemctl restart systemd-logind"))
                .succeeded();
        assertThat(root.exec("busctl get-property org.freedesktop.login1 /org/freedesktop/login1 "
                + "org.freedesktop.login1.Manager HandlePowerKey")).succeeded().hasStdout("s \"ignore\"");

        assertForcedOffWithinGrace(debian);
    }

    @Test
    void aTinyGuestsCommandThatNeverEndsIsKilledAtItsTimeoutAndTheHandleStaysUsable(
            @LibvirtGuest(image = "${virtunit.testImage}") Guest tiny) {
        NeverEndingCommand.timesOutAndLeavesNothingRunning(tiny.ssh());
    }

    /**
     * libvirt records why a domain stopped: "destroyed" is the forced power-off, "shutdown" the guest's own. A guest
     * that honoured the request after all would end as "shutdown", and this fails.
     */
    private static void assertForcedOffWithinGrace(Guest guest) {
        long started = System.nanoTime();

        guest.shutdown(GRACE);

        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertThat(took).isBetween(GRACE, GRACE.plusSeconds(10));
        assertThat(guest.state()).isEqualTo(GuestState.SHUT_OFF);
        assertThat(Command.check(Duration.ofSeconds(30), "virsh", "-c", "qemu:///system", "domstate", "--reason",
                guest.name()).stdout().strip()).isEqualTo("shut off (destroyed)");
    }
}
