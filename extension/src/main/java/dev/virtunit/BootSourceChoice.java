package dev.virtunit;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How the guest boots, as {@link GuestSpecBuilder} collects it: every {@link BootSource} given (the shortcuts make
 * one each) and a CD-ROM inserted beside a disk image. Which one counts, and whether they fit together, is
 * {@link SpecRules#chooseBootSource}'s call at {@link GuestSpecBuilder#build()}, so a spec reports a second boot
 * source instead of quietly keeping the last. Its public methods are the builder's: this class only keeps the one
 * job of collecting the boot source apart from the guest's other attributes.
 */
abstract sealed class BootSourceChoice permits GuestSpecBuilder {
    /** Every boot source given, in order: more than one is a problem {@link GuestSpecBuilder#build()} reports. */
    final List<BootSource> bootSources = new ArrayList<>();
    Path insertedCdrom;

    BootSourceChoice() {
    }

    /** The builder these methods return; the only subclass. */
    private GuestSpecBuilder self() {
        return (GuestSpecBuilder) this;
    }

    /**
     * How the guest boots; give exactly one, here or through {@link #image}, {@link #liveCd} or
     * {@link #installFromCdrom}: {@link GuestSpecBuilder#build()} reports more than one.
     *
     * @param source the boot source; not null
     * @return this builder
     */
    public GuestSpecBuilder bootFrom(BootSource source) {
        bootSources.add(Objects.requireNonNull(source, "source"));
        return self();
    }

    /**
     * Boot from this disk image (qcow2 or raw, detected), as {@code virt-install --import --disk IMAGE}.
     *
     * @param image the image file on this host; the guest runs on an overlay, the file is never written
     * @return this builder
     */
    public GuestSpecBuilder image(Path image) {
        return image(ImageLocation.of(image));
    }

    /**
     * Boot from the image at {@code location}: a path on this host, an {@code http://} or {@code https://} URL
     * (downloaded once into the cache, not verified; see {@link #image(URI, String)}), or {@code virtunit:tiny}.
     *
     * @param location what a user writes: a path, a URL or {@code virtunit:tiny}
     * @return this builder
     * @since 0.2
     */
    public GuestSpecBuilder image(String location) {
        return image(ImageLocation.parse(location));
    }

    /**
     * Boot from the image at {@code url}, downloaded once into the cache and verified against {@code digest}
     * ({@code sha256:<64 hex digits>} of the file as served; null: not verified, and the digest is logged).
     *
     * @param url an {@code http://} or {@code https://} URL
     * @param digest the expected digest, or null
     * @return this builder
     * @since 0.2
     */
    public GuestSpecBuilder image(URI url, String digest) {
        return image(ImageLocation.url(url, digest));
    }

    /**
     * Boot from the disk image at {@code location}.
     *
     * @param location a file, URL or built-in image
     * @return this builder
     * @since 0.2
     */
    public GuestSpecBuilder image(ImageLocation location) {
        return bootFrom(new BootSource.DiskImage(location, Optional.empty()));
    }

    /**
     * Put an ISO in the CD-ROM drive of a guest that boots from its disk image ({@link #image}).
     *
     * @param iso the ISO file; null: none
     * @return this builder
     */
    public GuestSpecBuilder cdrom(Path iso) {
        this.insertedCdrom = iso;
        return self();
    }

    /**
     * Boot from {@code iso} with no disk at all, as {@code virt-install --livecd --disk none --cdrom ISO}.
     *
     * @param iso the live CD
     * @return this builder
     */
    public GuestSpecBuilder liveCd(Path iso) {
        return bootFrom(new BootSource.LiveCd(iso));
    }

    /**
     * Boot an installer from {@code iso} onto a new blank disk of {@code diskMiB}; after the installer reboots,
     * the guest boots from the disk, as {@code virt-install --disk size=N --cdrom ISO}.
     *
     * @param iso the installer ISO
     * @param diskMiB the new disk's size in MiB
     * @return this builder
     */
    public GuestSpecBuilder installFromCdrom(Path iso, long diskMiB) {
        return bootFrom(new BootSource.InstallerCd(iso, diskMiB));
    }
}
