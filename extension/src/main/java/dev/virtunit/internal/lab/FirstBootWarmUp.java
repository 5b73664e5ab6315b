package dev.virtunit.internal.lab;

import dev.virtunit.GuestSpec;
import dev.virtunit.Ssh;
import dev.virtunit.VirtunitException;
import dev.virtunit.internal.image.FirstBootCache;
import dev.virtunit.observe.DiskInfo;
import dev.virtunit.observe.ExecResult;
import org.awaitility.core.ConditionTimeoutException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Optional;

import static org.awaitility.Awaitility.await;

/**
 * The one boot that warms an image for the {@link FirstBootCache}: a guest of the image with a minimal seed (the
 * run's key for root, an injected host key, DHCP on one NIC, no user-data of any test), so the disk it leaves holds
 * nothing a later guest did not ask for. Once cloud-init is done, the guest forgets who it was as the image build
 * did ({@code scripts/build-cloud-image}, step "nothing baked in"): cloud-init's state and logs, SSH host keys, root's
 * authorized keys, the machine-id (emptied: systemd makes a new one), DHCP leases, the random seed, the network
 * configuration cloud-init wrote; then it syncs and is shut down through ACPI. Only a clean power-off counts: a hard
 * one soon after first boot left zero-length host keys. The disk is copied out, and the guest is removed whatever
 * happened.
 */
final class FirstBootWarmUp implements FirstBootCache.WarmUp {

    /** Bump whenever {@link #FORGET_IDENTITY} or the warm-up seed changes: every base is warmed again. */
    static final String RECIPE = "1";

    /**
     * What must match for a warmed disk to be valid for a guest: what the warm-up boot baked in that a later seed does
     * not rewrite. The firmware and disk bus (fstab, boot loader), and the datasource (cloud-init's own state). Each is
     * fixed by virtunit today; the text is part of the cache key, so the day one changes, the key does too.
     */
    static final String SEED_SHAPE = "datasource NoCloud (cidata CD-ROM); firmware BIOS; disk virtio vda; "
            + "warm-up seed: root key, ed25519 host key, one DHCP NIC, no user-data";

    static final String FORGET_IDENTITY = String.join("\n",
            "set -e",
            // --machine-id exists from cloud-init 23.1 on; 22.4 (Debian 12) knows only --logs.
            "cloud-init clean --logs --machine-id 2>/dev/null || cloud-init clean --logs",
            "rm -rf /var/lib/cloud /var/log/cloud-init* /root/.ssh /root/.bash_history /var/lib/systemd/random-seed",
            "rm -f /etc/ssh/ssh_host_* /var/lib/dhcp/*.leases /etc/network/interfaces.d/50-cloud-init "
                    + "/etc/netplan/50-cloud-init.yaml /etc/systemd/network/10-cloud-init-*.network",
            "if [ -e /var/lib/dbus/machine-id ] && [ ! -L /var/lib/dbus/machine-id ]; then rm -f /var/lib/dbus/machine-id; fi",
            "rm -rf /var/log/journal/*",
            ": > /etc/machine-id",
            "sync");

    /** {@code cloud-init status --wait} under software emulation on a busy host. */
    private static final Duration GUEST_COMMAND = Duration.ofMinutes(5);
    private static final Duration CLEAN_SHUTDOWN = Duration.ofMinutes(3);

    private final LabSession lab;
    private final GuestSpec guestSpec;
    private final String domainType;

    /** Warms with the size and boot timeout of {@code guestSpec}, the guest that asked for it first. */
    FirstBootWarmUp(LabSession lab, GuestSpec guestSpec, String domainType) {
        this.lab = lab;
        this.guestSpec = guestSpec;
        this.domainType = domainType;
    }

    @Override
    public Optional<String> warm(Path image, Path disk, String key) {
        GuestSpec spec = GuestSpec.builder().image(image).memoryMiB(guestSpec.memoryMiB()).vcpus(guestSpec.vcpus())
                .dhcp(true).bootTimeout(guestSpec.bootTimeout().orElse(lab.config().bootTimeout())).build();
        String name = Names.domain(lab.runId(), "warmup-" + key.substring(0, 8));
        LabGuest guest = GuestProvisioner.provision(lab, spec, name, domainType, false);
        RuntimeException failure = null;
        try {
            guest.awaitReady();
            Ssh root = guest.ssh("root");
            if (!root.exec("command -v cloud-init", Duration.ofSeconds(30)).succeeded()) {
                return Optional.of("it has no cloud-init (`command -v cloud-init` found nothing on its warm-up boot)");
            }
            ExecResult status = root.exec("cloud-init status --wait --long", GUEST_COMMAND);
            if (!status.stdout().contains("status: done")) {
                throw new VirtunitException("cloud-init did not finish cleanly on the warm-up boot of " + image
                        + " (exit " + status.exitCode() + "): " + (status.stdout() + " " + status.stderr()).strip()
                        + "; a disk it left would carry that into every guest");
            }
            ExecResult forget = root.exec(FORGET_IDENTITY, GUEST_COMMAND);
            if (!forget.succeeded()) {
                throw new VirtunitException("the warm-up guest of " + image + " could not forget its identity (exit "
                        + forget.exitCode() + "): " + forget.stderr().strip());
            }
            shutDownCleanly(guest, image);
            Files.copy(Path.of(overlay(guest).source()), disk, StandardCopyOption.REPLACE_EXISTING);
            return Optional.empty();
        } catch (IOException e) {
            failure = new VirtunitException("cannot copy the warmed disk of " + image + " to " + disk + ": " + e, e);
            throw failure;
        } catch (RuntimeException e) {
            failure = e;
            throw e;
        } finally {
            try {
                guest.remove();
            } catch (RuntimeException e) {
                if (failure == null) {
                    throw e;
                }
                failure.addSuppressed(e);
            }
        }
    }

    private static DiskInfo overlay(LabGuest guest) {
        return guest.disks().stream().filter(d -> d.target().equals("vda")).findFirst()
                .orElseThrow(() -> new VirtunitException("the warm-up guest " + guest.name() + " has no disk vda"));
    }

    private void shutDownCleanly(LabGuest guest, Path image) {
        guest.disconnect();
        lab.hypervisor().shutdownDomain(guest.name());
        try {
            await("the warm-up guest of " + image + " to power off").atMost(CLEAN_SHUTDOWN)
                    .pollInterval(Duration.ofMillis(250)).until(() -> guest.state().isDead());
        } catch (ConditionTimeoutException e) {
            throw new VirtunitException("the warm-up guest of " + image + " did not power off within "
                    + CLEAN_SHUTDOWN.toSeconds() + " s of an ACPI shutdown; its disk is not kept (a hard power-off "
                    + "after a first boot can leave it inconsistent)", e);
        }
    }
}
