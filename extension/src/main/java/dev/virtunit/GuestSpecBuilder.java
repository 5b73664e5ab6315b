package dev.virtunit;

import java.util.Locale;
import dev.virtunit.junit.LibvirtGuest;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Collects a guest's attributes; {@link #build()} validates them all at once and names every mistake with its
 * remedy, before anything is created. {@link GuestSpec#builder()} makes one.
 *
 * @since 0.2
 */
public final class GuestSpecBuilder {
    // Package-private: GuestSpec's constructor copies them; nothing else reads them.
    String name;
    /** Every boot source given, in order: more than one is a problem {@link #build()} reports. */
    final List<BootSource> bootSources = new ArrayList<>();
    Path insertedCdrom;
    int memoryMiB = 256;
    int vcpus = 1;
    final List<Long> blankDisksMiB = new ArrayList<>();
    Graphics graphics = Graphics.NONE;
    Acceleration acceleration;
    String address;
    String gateway;
    boolean dhcp;
    String userData = "";
    String user = "root";
    Duration bootTimeout;
    boolean awaitSsh = true;
    String origin = "guest";
    final List<GuestSpec.NicSpec> nics = new ArrayList<>();
    Seed seed = Seed.NOCLOUD;
    String password;
    Path identityFile;
    String hostKey;
    String readyWhen;

    GuestSpecBuilder() {
    }

    /** Where this spec was declared, e.g. {@code @LibvirtGuest field [com.acme.NatTest.router]}; used in messages. */
    public GuestSpecBuilder origin(String origin) {
        this.origin = Objects.requireNonNull(origin);
        return this;
    }

    public GuestSpecBuilder name(String name) {
        this.name = name;
        return this;
    }

    /** How the guest boots; give exactly one, here or through {@link #image}, {@link #liveCd} or {@link #installFromCdrom}. */
    public GuestSpecBuilder bootFrom(BootSource source) {
        bootSources.add(Objects.requireNonNull(source, "source"));
        return this;
    }

    /** Boot from this disk image (qcow2 or raw, detected), as {@code virt-install --import --disk IMAGE}. */
    public GuestSpecBuilder image(Path image) {
        return image(ImageLocation.of(image));
    }

    /**
     * Boot from the image at {@code location}: a path on this host, an {@code http://} or {@code https://} URL
     * (downloaded once into the cache, not verified; see {@link #image(URI, String)}), or {@code virtunit:tiny}.
     *
     * @since 0.2
     */
    public GuestSpecBuilder image(String location) {
        return image(ImageLocation.parse(location));
    }

    /**
     * Boot from the image at {@code url}, downloaded once into the cache and verified against {@code digest}
     * ({@code sha256:<64 hex digits>} of the file as served; null: not verified, and the digest is logged).
     *
     * @since 0.2
     */
    public GuestSpecBuilder image(URI url, String digest) {
        return image(ImageLocation.url(url, digest));
    }

    /**
     * Boot from the disk image at {@code location}.
     *
     * @since 0.2
     */
    public GuestSpecBuilder image(ImageLocation location) {
        return bootFrom(new BootSource.DiskImage(location, Optional.empty()));
    }

    /** Put an ISO in the CD-ROM drive of a guest that boots from its disk image ({@link #image}). */
    public GuestSpecBuilder cdrom(Path iso) {
        this.insertedCdrom = iso;
        return this;
    }

    /** Boot from {@code iso} with no disk at all, as {@code virt-install --livecd --disk none --cdrom ISO}. */
    public GuestSpecBuilder liveCd(Path iso) {
        return bootFrom(new BootSource.LiveCd(iso));
    }

    /**
     * Boot an installer from {@code iso} onto a new blank disk of {@code diskMiB}; after the installer reboots,
     * the guest boots from the disk, as {@code virt-install --disk size=N --cdrom ISO}.
     */
    public GuestSpecBuilder installFromCdrom(Path iso, long diskMiB) {
        return bootFrom(new BootSource.InstallerCd(iso, diskMiB));
    }

    public GuestSpecBuilder memoryMiB(int memoryMiB) {
        this.memoryMiB = memoryMiB;
        return this;
    }

    public GuestSpecBuilder vcpus(int vcpus) {
        this.vcpus = vcpus;
        return this;
    }

    /** Adds a blank disk of this size (thin qcow2: it costs host disk only as the guest writes). */
    public GuestSpecBuilder blankDisk(long sizeMiB) {
        blankDisksMiB.add(sizeMiB);
        return this;
    }

    public GuestSpecBuilder graphics(Graphics graphics) {
        this.graphics = Objects.requireNonNull(graphics);
        return this;
    }

    public GuestSpecBuilder acceleration(Acceleration acceleration) {
        this.acceleration = acceleration;
        return this;
    }

    /** A static address in CIDR notation, e.g. {@code 192.168.77.10/24}; without one the guest uses DHCP. */
    public GuestSpecBuilder address(String cidr) {
        this.address = cidr;
        return this;
    }

    public GuestSpecBuilder gateway(String gateway) {
        this.gateway = gateway;
        return this;
    }

    /** Take the address from the network's DHCP server rather than a static one virtunit picks. */
    public GuestSpecBuilder dhcp(boolean dhcp) {
        this.dhcp = dhcp;
        return this;
    }

    /** Extra {@code #cloud-config} for the guest, merged into virtunit's own. */
    public GuestSpecBuilder userData(String cloudConfig) {
        this.userData = Objects.requireNonNull(cloudConfig);
        return this;
    }

    public GuestSpecBuilder user(String user) {
        this.user = user;
        return this;
    }

    public GuestSpecBuilder bootTimeout(Duration bootTimeout) {
        this.bootTimeout = bootTimeout;
        return this;
    }

    /** Adds a NIC on {@code bridge} with an address virtunit picks; the first NIC is eth0. */
    public GuestSpecBuilder nic(Segment bridge) {
        nics.add(new GuestSpec.NicSpec(bridge, Optional.empty(), 0, Optional.empty()));
        return this;
    }

    /** Adds a NIC on {@code bridge} with a static address in CIDR notation. */
    public GuestSpecBuilder nic(Segment bridge, String cidr) {
        nics.add(new GuestSpec.NicSpec(bridge, Optional.of(cidr), 0, Optional.empty()));
        return this;
    }

    /** Adds a NIC on {@code bridge} with a static address (null: virtunit picks) and a VLAN tag (0: none). */
    public GuestSpecBuilder nic(Segment bridge, String cidr, int vlan) {
        nics.add(new GuestSpec.NicSpec(bridge, Optional.ofNullable(cidr), vlan, Optional.empty()));
        return this;
    }

    /** Adds a NIC with every attribute: address (null: picked, or DHCP), VLAN (0: none), MAC (null: picked). */
    public GuestSpecBuilder nic(Segment segment, String cidr, int vlan, String mac) {
        nics.add(new GuestSpec.NicSpec(segment, Optional.ofNullable(cidr), vlan, Optional.ofNullable(mac)));
        return this;
    }

    /** Whether readiness waits for an SSH login (the default) or only for the domain to run. */
    public GuestSpecBuilder awaitSsh(boolean awaitSsh) {
        this.awaitSsh = awaitSsh;
        return this;
    }

    /** {@link Seed#NONE}: an image without cloud-init, reached with the login it has. @since 0.2 */
    public GuestSpecBuilder seed(Seed seed) {
        this.seed = seed;
        return this;
    }

    /** See {@link GuestSpec#password()}. @since 0.2 */
    public GuestSpecBuilder password(String password) {
        this.password = password;
        return this;
    }

    /** See {@link GuestSpec#identityFile()}. @since 0.2 */
    public GuestSpecBuilder identityFile(Path privateKey) {
        this.identityFile = privateKey;
        return this;
    }

    /** See {@link GuestSpec#hostKey()}. @since 0.2 */
    public GuestSpecBuilder hostKey(String sha256Fingerprint) {
        this.hostKey = sha256Fingerprint;
        return this;
    }

    /** See {@link GuestSpec#readyWhen()}, e.g. {@code "login:"}. @since 0.2 */
    public GuestSpecBuilder readyWhen(String consoleLine) {
        this.readyWhen = consoleLine;
        return this;
    }

    public GuestSpec build() {
        List<String> bootProblems = new ArrayList<>();
        BootSource chosen = SpecRules.chooseBootSource(bootSources, insertedCdrom, bootProblems);
        GuestSpec spec = new GuestSpec(this, chosen);
        List<String> problems = SpecRules.problems(spec, bootProblems);
        if (!problems.isEmpty()) {
            throw new InvalidDeclarationException(origin, problems);
        }
        return spec;
    }
}
