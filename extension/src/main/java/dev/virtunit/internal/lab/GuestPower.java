package dev.virtunit.internal.lab;

import dev.virtunit.internal.libvirt.Hypervisor;
import dev.virtunit.observe.GuestState;
import org.awaitility.core.ConditionTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

import static org.awaitility.Awaitility.await;

/**
 * A guest's power after its first boot, as {@code virsh} users do it: a start or a reboot holds one of the lab's boot
 * slots until the guest is ready again (a reboot means a new boot id, not the old kernel still answering); a
 * shutdown asks by ACPI and pulls the plug after the grace period, saying so.
 */
final class GuestPower {

    private static final Logger LOG = LoggerFactory.getLogger(GuestPower.class);

    private final LabGuest guest;
    private final Hypervisor hypervisor;
    private final BootSlots bootSlots;
    private final Duration bootTimeout;

    GuestPower(LabGuest guest, Hypervisor hypervisor, BootSlots bootSlots, Duration bootTimeout) {
        this.guest = guest;
        this.hypervisor = hypervisor;
        this.bootSlots = bootSlots;
        this.bootTimeout = bootTimeout;
    }

    void start() {
        String name = guest.name();
        BootTimeline restart = BootTimeline.startingNow(name);
        bootSlots.whileHolding(name, () -> {
            restart.phaseIfNoticeable("waited for a boot slot");
            guest.beginBoot(restart);
            hypervisor.startDomain(name);
            restart.phase("started");
            guest.awaitReadyNow();
        });
    }

    void shutdown(Duration timeout) {
        String name = guest.name();
        if (!guest.state().isActive() && guest.state() != GuestState.PAUSED) {
            return;
        }
        guest.disconnect();
        hypervisor.shutdownDomain(name);
        try {
            await("guest " + name + " to power off after virsh shutdown").atMost(timeout)
                    .pollInterval(Duration.ofMillis(200)).until(() -> guest.state().isDead());
        } catch (ConditionTimeoutException e) {
            // As virsh users do: ask nicely, then pull the plug; and say so, a guest that ignores ACPI may be a bug.
            LOG.warn("guest {} did not power off within {} ms of the ACPI shutdown request (does it handle the power "
                    + "button?); forcing it off (virsh destroy)", name, timeout.toMillis());
            hypervisor.destroyDomain(name);
        }
    }

    void reboot() {
        bootSlots.whileHolding(guest.name(), this::rebootAndAwait);
    }

    private void rebootAndAwait() {
        String name = guest.name();
        BootTimeline restart = BootTimeline.startingNow(name);
        boolean awaitSsh = guest.spec().awaitSsh();
        String bootId = awaitSsh ? currentBootId() : "";
        guest.disconnect();
        guest.beginBoot(restart);
        hypervisor.rebootDomain(name);
        if (awaitSsh) {
            // Ready again means a new boot, not the old kernel still answering before it goes down.
            await("guest " + name + " to come back from reboot with a new boot id").atMost(bootTimeout)
                    .pollInterval(Duration.ofMillis(250)).ignoreExceptionsMatching(GuestLogin::worthRetrying)
                    .failFast("guest " + name + " stopped while rebooting", () -> guest.state().isDead())
                    .until(() -> !currentBootId().equals(bootId));
        }
        restart.phase("rebooted");
        guest.awaitReadyNow();
    }

    private String currentBootId() {
        return GuestLogin.finalFailureNamed(guest.name(),
                () -> guest.ssh().exec("cat /proc/sys/kernel/random/boot_id", Duration.ofSeconds(10)).stdout().strip());
    }
}
