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
 * What a guest should be: the immutable form of {@link LibvirtGuest} and of {@link #builder()} for tests that compute
 * their topology. {@link Builder#build()} checks the whole spec at once ({@link SpecRules}) and reports every
 * problem together; a spec that exists is valid. How the guest boots is one {@link BootSource}.
 *
 * @since 0.1
 */
public final class GuestSpec {

    /**
     * Top-level cloud-config keys virtunit writes itself to log in with keys it verifies; a guest's
     * {@link Builder#userData(String)} must not set them ({@code ssh_authorized_keys} is merged instead).
     *
     * @since 0.2
     */
    public static final List<String> RESERVED_USER_DATA_KEYS = List.of("disable_root", "ssh_pwauth", "manage_etc_hosts",
            "ssh_deletekeys", "ssh_genkeytypes", "ssh_keys");

    private final Optional<String> name;
    private final BootSource bootSource;
    private final int memoryMiB;
    private final int vcpus;
    private final List<Long> blankDisksMiB;
    private final Graphics graphics;
    private final Optional<Acceleration> acceleration;
    private final Optional<String> address;
    private final Optional<String> gateway;
    private final boolean dhcp;
    private final String userData;
    private final String user;
    private final Optional<Duration> bootTimeout;
    private final boolean awaitSsh;
    private final List<NicSpec> nics;
    // Images without cloud-init (seed NONE): the login they already have, the host key, readiness by console line.
    private final Seed seed;
    private final Optional<String> password;
    private final Optional<Path> identityFile;
    private final Optional<String> hostKey;
    private final Optional<String> readyWhen;

    /**
     * A NIC on one of our bridges.
     *
     * @param segment the bridge or libvirt network it joins
     * @param address static address in CIDR notation; empty picks a free one on a bridge, DHCP on a libvirt network
     * @param vlan    VLAN tag of its port (Open vSwitch only); 0 for none
     * @param mac     its MAC address; empty picks a unique one
     */
    public record NicSpec(Segment segment, Optional<String> address, int vlan, Optional<String> mac) {

        public NicSpec {
            Objects.requireNonNull(segment, "segment");
            Objects.requireNonNull(address, "address");
            mac = mac.map(m -> m.toLowerCase(Locale.ROOT));
        }
    }

    /** {@code bootSource} is null only while {@link Builder#build()} checks a spec that has none. */
    private GuestSpec(Builder b, BootSource bootSource) {
        this.name = Optional.ofNullable(b.name);
        this.bootSource = bootSource;
        this.memoryMiB = b.memoryMiB;
        this.vcpus = b.vcpus;
        this.blankDisksMiB = List.copyOf(b.blankDisksMiB);
        this.graphics = b.graphics;
        this.acceleration = Optional.ofNullable(b.acceleration);
        this.address = Optional.ofNullable(b.address);
        this.gateway = Optional.ofNullable(b.gateway);
        this.dhcp = b.dhcp;
        this.userData = b.userData;
        this.user = b.user;
        this.bootTimeout = Optional.ofNullable(b.bootTimeout);
        this.awaitSsh = b.awaitSsh;
        this.nics = List.copyOf(b.nics);
        this.seed = b.seed;
        this.password = Optional.ofNullable(b.password);
        this.identityFile = Optional.ofNullable(b.identityFile);
        this.hostKey = Optional.ofNullable(b.hostKey);
        this.readyWhen = Optional.ofNullable(b.readyWhen);
    }

    /** NICs on our bridges, eth0 first; empty: one NIC on virtunit's default network. */
    public List<NicSpec> nics() {
        return nics;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The libvirt domain name asked for; empty means virtunit chooses a unique {@code vu-...} name. */
    public Optional<String> name() {
        return name;
    }

    /** How the guest boots: a disk image (with an inserted CD-ROM, perhaps), a live CD, or an installer CD. */
    public BootSource bootSource() {
        return bootSource;
    }

    public int memoryMiB() {
        return memoryMiB;
    }

    public int vcpus() {
        return vcpus;
    }

    /** Extra blank disks (qcow2, thin), by size. */
    public List<Long> blankDisksMiB() {
        return blankDisksMiB;
    }

    public Graphics graphics() {
        return graphics;
    }

    /** Empty: the lab's configured acceleration. */
    public Optional<Acceleration> acceleration() {
        return acceleration;
    }

    /**
     * Static address in CIDR notation. Empty: with {@link #dhcp()} the guest asks DHCP, otherwise virtunit picks a
     * free address on the guest's network and configures it statically (no DHCP wait at boot).
     */
    public Optional<String> address() {
        return address;
    }

    /** Whether the guest takes its address from the network's DHCP server, learned by virtunit from the lease. */
    public boolean dhcp() {
        return dhcp;
    }

    /** Default gateway for a static address; empty means the network's own gateway. */
    public Optional<String> gateway() {
        return gateway;
    }

    /** Extra {@code #cloud-config} merged into the seed virtunit writes; empty for none. */
    public String userData() {
        return userData;
    }

    /** The user SSH logs in as. */
    public String user() {
        return user;
    }

    /** Empty: the lab's configured boot timeout. */
    public Optional<Duration> bootTimeout() {
        return bootTimeout;
    }

    /**
     * Whether readiness includes an SSH login; without it a guest is ready once it runs, or once its console shows
     * {@link #readyWhen()}.
     */
    public boolean awaitSsh() {
        return awaitSsh;
    }

    /** {@link Seed#NOCLOUD} (the default): virtunit writes a cloud-init seed; {@link Seed#NONE}: none. @since 0.2 */
    public Seed seed() {
        return seed;
    }

    /** The password {@link #user()} already has in an image without a seed, tried after the identity file. @since 0.2 */
    public Optional<String> password() {
        return password;
    }

    /** The unencrypted private key an image without a seed already accepts for {@link #user()}. @since 0.2 */
    public Optional<Path> identityFile() {
        return identityFile;
    }

    /**
     * The {@code SHA256:...} fingerprint the host key of an image without a seed must have. Empty: the first key seen
     * is trusted, logged with its fingerprint, and required for the rest of the guest's life, reboots included.
     *
     * @since 0.2
     */
    public Optional<String> hostKey() {
        return hostKey;
    }

    /**
     * Ready once a serial console line after the (re)start contains this, literally or as a regular expression; then,
     * if {@link #awaitSsh()}, once SSH logs in too.
     *
     * @since 0.2
     */
    public Optional<String> readyWhen() {
        return readyWhen;
    }

    @Override
    public String toString() {
        return "GuestSpec[" + name.orElse("(auto)") + ", " + bootSource + ", " + memoryMiB + " MiB, " + vcpus + " vCPU]";
    }

    /**
     * Collects a guest's attributes; {@link #build()} validates them all at once and names every mistake with its
     * remedy, before anything is created.
     */
    public static final class Builder {
        private String name;
        /** Every boot source given, in order: more than one is a problem {@link #build()} reports. */
        private final List<BootSource> bootSources = new ArrayList<>();
        private Path insertedCdrom;
        private int memoryMiB = 256;
        private int vcpus = 1;
        private final List<Long> blankDisksMiB = new ArrayList<>();
        private Graphics graphics = Graphics.NONE;
        private Acceleration acceleration;
        private String address;
        private String gateway;
        private boolean dhcp;
        private String userData = "";
        private String user = "root";
        private Duration bootTimeout;
        private boolean awaitSsh = true;
        private String origin = "guest";
        private final List<NicSpec> nics = new ArrayList<>();
        private Seed seed = Seed.NOCLOUD;
        private String password;
        private Path identityFile;
        private String hostKey;
        private String readyWhen;

        private Builder() {
        }

        /** Where this spec was declared, e.g. {@code @LibvirtGuest field [com.acme.NatTest.router]}; used in messages. */
        public Builder origin(String origin) {
            this.origin = Objects.requireNonNull(origin);
            return this;
        }

        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /** How the guest boots; give exactly one, here or through {@link #image}, {@link #liveCd} or {@link #installFromCdrom}. */
        public Builder bootFrom(BootSource source) {
            bootSources.add(Objects.requireNonNull(source, "source"));
            return this;
        }

        /** Boot from this disk image (qcow2 or raw, detected), as {@code virt-install --import --disk IMAGE}. */
        public Builder image(Path image) {
            return image(ImageLocation.of(image));
        }

        /**
         * Boot from the image at {@code location}: a path on this host, an {@code http://} or {@code https://} URL
         * (downloaded once into the cache, not verified; see {@link #image(URI, String)}), or {@code virtunit:tiny}.
         *
         * @since 0.2
         */
        public Builder image(String location) {
            return image(ImageLocation.parse(location));
        }

        /**
         * Boot from the image at {@code url}, downloaded once into the cache and verified against {@code digest}
         * ({@code sha256:<64 hex digits>} of the file as served; null: not verified, and the digest is logged).
         *
         * @since 0.2
         */
        public Builder image(URI url, String digest) {
            return image(ImageLocation.url(url, digest));
        }

        /**
         * Boot from the disk image at {@code location}.
         *
         * @since 0.2
         */
        public Builder image(ImageLocation location) {
            return bootFrom(new BootSource.DiskImage(location, Optional.empty()));
        }

        /** Put an ISO in the CD-ROM drive of a guest that boots from its disk image ({@link #image}). */
        public Builder cdrom(Path iso) {
            this.insertedCdrom = iso;
            return this;
        }

        /** Boot from {@code iso} with no disk at all, as {@code virt-install --livecd --disk none --cdrom ISO}. */
        public Builder liveCd(Path iso) {
            return bootFrom(new BootSource.LiveCd(iso));
        }

        /**
         * Boot an installer from {@code iso} onto a new blank disk of {@code diskMiB}; after the installer reboots,
         * the guest boots from the disk, as {@code virt-install --disk size=N --cdrom ISO}.
         */
        public Builder installFromCdrom(Path iso, long diskMiB) {
            return bootFrom(new BootSource.InstallerCd(iso, diskMiB));
        }

        public Builder memoryMiB(int memoryMiB) {
            this.memoryMiB = memoryMiB;
            return this;
        }

        public Builder vcpus(int vcpus) {
            this.vcpus = vcpus;
            return this;
        }

        /** Adds a blank disk of this size (thin qcow2: it costs host disk only as the guest writes). */
        public Builder blankDisk(long sizeMiB) {
            blankDisksMiB.add(sizeMiB);
            return this;
        }

        public Builder graphics(Graphics graphics) {
            this.graphics = Objects.requireNonNull(graphics);
            return this;
        }

        public Builder acceleration(Acceleration acceleration) {
            this.acceleration = acceleration;
            return this;
        }

        /** A static address in CIDR notation, e.g. {@code 192.168.77.10/24}; without one the guest uses DHCP. */
        public Builder address(String cidr) {
            this.address = cidr;
            return this;
        }

        public Builder gateway(String gateway) {
            this.gateway = gateway;
            return this;
        }

        /** Take the address from the network's DHCP server rather than a static one virtunit picks. */
        public Builder dhcp(boolean dhcp) {
            this.dhcp = dhcp;
            return this;
        }

        /** Extra {@code #cloud-config} for the guest, merged into virtunit's own. */
        public Builder userData(String cloudConfig) {
            this.userData = Objects.requireNonNull(cloudConfig);
            return this;
        }

        public Builder user(String user) {
            this.user = user;
            return this;
        }

        public Builder bootTimeout(Duration bootTimeout) {
            this.bootTimeout = bootTimeout;
            return this;
        }

        /** Adds a NIC on {@code bridge} with an address virtunit picks; the first NIC is eth0. */
        public Builder nic(Segment bridge) {
            nics.add(new NicSpec(bridge, Optional.empty(), 0, Optional.empty()));
            return this;
        }

        /** Adds a NIC on {@code bridge} with a static address in CIDR notation. */
        public Builder nic(Segment bridge, String cidr) {
            nics.add(new NicSpec(bridge, Optional.of(cidr), 0, Optional.empty()));
            return this;
        }

        /** Adds a NIC on {@code bridge} with a static address (null: virtunit picks) and a VLAN tag (0: none). */
        public Builder nic(Segment bridge, String cidr, int vlan) {
            nics.add(new NicSpec(bridge, Optional.ofNullable(cidr), vlan, Optional.empty()));
            return this;
        }

        /** Adds a NIC with every attribute: address (null: picked, or DHCP), VLAN (0: none), MAC (null: picked). */
        public Builder nic(Segment segment, String cidr, int vlan, String mac) {
            nics.add(new NicSpec(segment, Optional.ofNullable(cidr), vlan, Optional.ofNullable(mac)));
            return this;
        }

        /** Whether readiness waits for an SSH login (the default) or only for the domain to run. */
        public Builder awaitSsh(boolean awaitSsh) {
            this.awaitSsh = awaitSsh;
            return this;
        }

        /** {@link Seed#NONE}: an image without cloud-init, reached with the login it has. @since 0.2 */
        public Builder seed(Seed seed) {
            this.seed = seed;
            return this;
        }

        /** See {@link GuestSpec#password()}. @since 0.2 */
        public Builder password(String password) {
            this.password = password;
            return this;
        }

        /** See {@link GuestSpec#identityFile()}. @since 0.2 */
        public Builder identityFile(Path privateKey) {
            this.identityFile = privateKey;
            return this;
        }

        /** See {@link GuestSpec#hostKey()}. @since 0.2 */
        public Builder hostKey(String sha256Fingerprint) {
            this.hostKey = sha256Fingerprint;
            return this;
        }

        /** See {@link GuestSpec#readyWhen()}, e.g. {@code "login:"}. @since 0.2 */
        public Builder readyWhen(String consoleLine) {
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
}
