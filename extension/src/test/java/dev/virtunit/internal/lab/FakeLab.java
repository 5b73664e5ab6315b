package dev.virtunit.internal.lab;

import dev.virtunit.Acceleration;
import dev.virtunit.CleanupMode;
import dev.virtunit.GuestNotReadyException;
import dev.virtunit.LabConfig;
import dev.virtunit.internal.host.Command;

import java.nio.file.Path;
import java.time.Duration;

/**
 * A lab on a {@link FakeHypervisor} for unit tests: its state in a temporary folder, blank images for its guests, and
 * readiness that sends nothing over the network ({@link #readyWithoutNetwork}).
 */
final class FakeLab {

    private FakeLab() {
    }

    /** A lab whose run state lives under {@code stateDir} and whose libvirt is {@code hypervisor}; close it after. */
    static LabSession start(Path stateDir, FakeHypervisor hypervisor) {
        return start(stateDir, hypervisor, false);
    }

    /** As {@link #start(Path, FakeHypervisor)}; a fake guest never boots, so a warm-up on it always fails. */
    static LabSession start(Path stateDir, FakeHypervisor hypervisor, boolean firstBootCache) {
        return start(LabConfig.fromEnvironment().withStateDir(stateDir).withCacheDir(stateDir.resolve("cache"))
                .withAcceleration(Acceleration.TCG).withCleanup(CleanupMode.ALWAYS)
                .withFirstBootCache(firstBootCache), hypervisor);
    }

    /** A lab of {@code config} on {@code hypervisor} whose guests are awaited without touching the network. */
    static LabSession start(LabConfig config, FakeHypervisor hypervisor) {
        LabSession lab = LabSession.start(config, uri -> hypervisor);
        lab.readiness(FakeLab::readyWithoutNetwork);
        return lab;
    }

    /**
     * A fake guest runs nothing, so the SSH phases would only knock on an address nothing routes (out of the host's
     * uplink): a guest that awaits SSH fails at once; one awaited by its domain state or console is awaited as usual.
     */
    static void readyWithoutNetwork(LabGuest guest) {
        if (guest.spec().awaitSsh()) {
            throw new GuestNotReadyException("guest " + guest.name() + " runs on a fake hypervisor and answers no SSH", null);
        }
        guest.awaitReadyNow();
    }

    /** A blank 64 MiB qcow2 image {@code name} in {@code dir}: real enough for provisioning, boots nothing. */
    static Path blankImage(Path dir, String name) {
        Path image = dir.resolve(name);
        Command.check(Duration.ofSeconds(30), "qemu-img", "create", "-q", "-f", "qcow2", image.toString(), "64M");
        return image;
    }
}
