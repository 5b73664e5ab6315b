package dev.virtunit.internal.lab;

import dev.virtunit.Acceleration;
import dev.virtunit.CleanupMode;
import dev.virtunit.LabConfig;
import dev.virtunit.internal.host.Command;

import java.nio.file.Path;
import java.time.Duration;

/** A lab on a {@link FakeHypervisor} for unit tests: its state in a temporary folder, blank images for its guests. */
final class FakeLab {

    private FakeLab() {
    }

    /** A lab whose run state lives under {@code stateDir} and whose libvirt is {@code hypervisor}; close it after. */
    static LabSession start(Path stateDir, FakeHypervisor hypervisor) {
        return start(stateDir, hypervisor, false);
    }

    /** As {@link #start(Path, FakeHypervisor)}; a fake guest never boots, so a warm-up on it always fails. */
    static LabSession start(Path stateDir, FakeHypervisor hypervisor, boolean firstBootCache) {
        return LabSession.start(LabConfig.fromEnvironment().withStateDir(stateDir).withCacheDir(stateDir.resolve("cache"))
                .withAcceleration(Acceleration.TCG).withCleanup(CleanupMode.ALWAYS)
                .withFirstBootCache(firstBootCache), uri -> hypervisor);
    }

    /** A blank 64 MiB qcow2 image {@code name} in {@code dir}: real enough for provisioning, boots nothing. */
    static Path blankImage(Path dir, String name) {
        Path image = dir.resolve(name);
        Command.check(Duration.ofSeconds(30), "qemu-img", "create", "-q", "-f", "qcow2", image.toString(), "64M");
        return image;
    }
}
