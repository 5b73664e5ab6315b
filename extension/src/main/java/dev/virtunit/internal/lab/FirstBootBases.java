package dev.virtunit.internal.lab;

import dev.virtunit.BootSource;
import dev.virtunit.GuestSpec;
import dev.virtunit.Seed;
import dev.virtunit.internal.image.FirstBootCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;

/**
 * Which disk a guest's overlay goes on: the warmed first-boot base of its image when the lab's first-boot cache is on
 * and the guest is a NoCloud-seeded disk-image guest, else the image itself. Only such guests qualify: the base is
 * worth having only where cloud-init's first boot is the slow part, and a new NoCloud seed (a new instance-id) is what
 * gives the guest its own identity again (host key, users, hostname, network; systemd makes a new machine-id).
 */
final class FirstBootBases {

    private static final Logger LOG = LoggerFactory.getLogger(FirstBootBases.class);

    private final LabSession lab;
    private final FirstBootCache cache;
    private final boolean enabled;

    /** @param enabled whether the lab uses the cache: {@code virtunit.firstboot.cache}, and its host is this machine */
    FirstBootBases(LabSession lab, FirstBootCache cache, boolean enabled) {
        this.lab = lab;
        this.cache = cache;
        this.enabled = enabled;
    }

    /** The disk {@code guest}'s overlay goes on; warms {@code image} first when this is its first guest ever. */
    DiskImage baseFor(GuestSpec spec, DiskImage image, String guest, String domainType) {
        if (!enabled || spec.seed() != Seed.NOCLOUD
                || !(spec.bootSource() instanceof BootSource.DiskImage)) {
            return image;
        }
        Optional<FirstBootCache.WarmBase> base = cache.base(image.path(), FirstBootWarmUp.RECIPE,
                FirstBootWarmUp.SEED_SHAPE, new FirstBootWarmUp(lab, spec, domainType));
        if (base.isEmpty()) {
            LOG.info("guest {} boots cold from {} (no first-boot base; the log above says why)", guest, image.path());
            return image;
        }
        LOG.info("guest {} boots from warmed base {} of {}", guest, base.get().key(), image.path());
        return new DiskImage(base.get().disk(), "qcow2", image.virtualSize());
    }
}
