package dev.virtunit;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * How a guest boots: one choice, made once on {@link GuestSpecBuilder}. Each form is one way of booting in the seed
 * notes:
 * <ul>
 *   <li>{@link DiskImage}: import a disk image ({@code virt-install --import}), optionally with an ISO in the CD-ROM
 *       drive;</li>
 *   <li>{@link LiveCd}: a live CD with no disk ({@code --livecd --disk none});</li>
 *   <li>{@link InstallerCd}: install from a CD-ROM onto a new disk, then boot from the disk
 *       ({@code --disk size=8 --cdrom}).</li>
 * </ul>
 *
 * @since 0.2
 */
public sealed interface BootSource permits BootSource.DiskImage, BootSource.LiveCd, BootSource.InstallerCd {

    /** {@return the ISO in the guest's CD-ROM drive, if any} */
    Optional<Path> cdrom();

    /**
     * Boot from a disk image (qcow2 or raw, detected); the guest runs on an overlay, the image is never written.
     *
     * @param image  where the disk image comes from: a file, a URL, or a built-in image
     * @param cdrom  an ISO inserted in the CD-ROM drive (not booted from); empty for none
     */
    record DiskImage(ImageLocation image, Optional<Path> cdrom) implements BootSource {
        /**
         * Checks that no component is null.
         *
         * @param image  where the disk image comes from: a file, a URL, or a built-in image
         * @param cdrom  an ISO inserted in the CD-ROM drive (not booted from); empty for none
         */
        public DiskImage {
            Objects.requireNonNull(image, "image");
            Objects.requireNonNull(cdrom, "cdrom");
        }

        /**
         * Boot from a disk image file on this host.
         *
         * @param image the disk image file
         * @param cdrom an ISO inserted in the CD-ROM drive; empty for none
         */
        public DiskImage(Path image, Optional<Path> cdrom) {
            this(ImageLocation.of(image), cdrom);
        }
    }

    /**
     * Boot from an ISO with no disk at all.
     *
     * @param iso the live CD
     */
    record LiveCd(Path iso) implements BootSource {
        /**
         * Checks that no component is null.
         *
         * @param iso the live CD
         */
        public LiveCd {
            Objects.requireNonNull(iso, "iso");
        }

        @Override
        public Optional<Path> cdrom() {
            return Optional.of(iso);
        }
    }

    /**
     * Boot an installer from an ISO onto a new blank disk; once the installer has written the disk, the guest boots
     * from the disk.
     *
     * @param iso     the installer
     * @param diskMiB size of the new disk
     */
    record InstallerCd(Path iso, long diskMiB) implements BootSource {
        /**
         * Checks that {@code iso} is not null.
         *
         * @param iso     the installer
         * @param diskMiB size of the new disk
         */
        public InstallerCd {
            Objects.requireNonNull(iso, "iso");
        }

        @Override
        public Optional<Path> cdrom() {
            return Optional.of(iso);
        }
    }
}
