package dev.virtunit;

import dev.virtunit.junit.LibvirtGuest;
import dev.virtunit.junit.OvsBridge;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What a guest should be: the immutable, validated form of {@link LibvirtGuest} and of {@link #builder()} for
 * tests that compute their topology. Each way of booting in the seed notes has a form here:
 * <ul>
 *   <li>import a disk image ({@code virt-install --import}): {@link Builder#image(Path)};</li>
 *   <li>a live CD with no disk ({@code --livecd --disk none}): {@link Builder#liveCd(Path)};</li>
 *   <li>install from a CD-ROM onto a new disk, then boot from the disk ({@code --disk size=8 --cdrom}):
 *       {@link Builder#installFromCdrom(Path, long)}.</li>
 * </ul>
 *
 * @since 0.1
 */
public final class GuestSpec {

    /** libvirt accepts more, but these survive shells, file names and interface names unquoted. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");
    private static final Pattern CIDR = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})/(\\d{1,2})");
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    private static final Pattern USER = Pattern.compile("[a-z_][a-z0-9_-]{0,31}");

    /** How the guest boots. */
    public enum BootMode {
        /** From the imported disk image. */
        DISK,
        /** From a CD-ROM only, with no disk at all. */
        LIVE_CD,
        /** From a CD-ROM that installs onto a new blank disk; later boots come from the disk. */
        INSTALL_FROM_CDROM
    }

    private final Optional<String> name;
    private final BootMode bootMode;
    private final Optional<Path> image;
    private final Optional<Path> cdrom;
    private final long installDiskMiB;
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
            java.util.Objects.requireNonNull(segment, "segment");
            java.util.Objects.requireNonNull(address, "address");
            mac = mac.map(m -> m.toLowerCase(java.util.Locale.ROOT));
        }
    }

    private GuestSpec(Builder b) {
        this.name = Optional.ofNullable(b.name);
        this.bootMode = b.bootMode;
        this.image = Optional.ofNullable(b.image);
        this.cdrom = Optional.ofNullable(b.cdrom);
        this.installDiskMiB = b.installDiskMiB;
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

    public BootMode bootMode() {
        return bootMode;
    }

    /** The disk image the guest boots from (never written: the guest runs on an overlay). */
    public Optional<Path> image() {
        return image;
    }

    /** The ISO in the guest's CD-ROM drive. */
    public Optional<Path> cdrom() {
        return cdrom;
    }

    /** Size of the new disk an {@link BootMode#INSTALL_FROM_CDROM} guest installs onto; 0 otherwise. */
    public long installDiskMiB() {
        return installDiskMiB;
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

    /** Whether readiness includes an SSH login; a guest without cloud-init or SSH is ready once it runs. */
    public boolean awaitSsh() {
        return awaitSsh;
    }

    @Override
    public String toString() {
        return "GuestSpec[" + name.orElse("(auto)") + ", " + bootMode + ", image=" + image.map(Path::toString).orElse("-")
                + ", cdrom=" + cdrom.map(Path::toString).orElse("-") + ", " + memoryMiB + " MiB, " + vcpus + " vCPU]";
    }

    /**
     * Collects a guest's attributes; {@link #build()} validates them all at once and names every mistake with its
     * remedy, before anything is created.
     */
    public static final class Builder {
        private String name;
        private BootMode bootMode;
        private Path image;
        private Path cdrom;
        private long installDiskMiB;
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

        /** Boot from this disk image (qcow2 or raw, detected), as {@code virt-install --import --disk IMAGE}. */
        public Builder image(Path image) {
            this.image = image;
            this.bootMode = BootMode.DISK;
            return this;
        }

        /** Put an ISO in the CD-ROM drive of a guest that boots from its disk image. */
        public Builder cdrom(Path iso) {
            this.cdrom = iso;
            return this;
        }

        /** Boot from {@code iso} with no disk at all, as {@code virt-install --livecd --disk none --cdrom ISO}. */
        public Builder liveCd(Path iso) {
            this.cdrom = iso;
            this.bootMode = BootMode.LIVE_CD;
            return this;
        }

        /**
         * Boot an installer from {@code iso} onto a new blank disk of {@code diskMiB}; after the installer reboots,
         * the guest boots from the disk, as {@code virt-install --disk size=N --cdrom ISO}.
         */
        public Builder installFromCdrom(Path iso, long diskMiB) {
            this.cdrom = iso;
            this.installDiskMiB = diskMiB;
            this.bootMode = BootMode.INSTALL_FROM_CDROM;
            return this;
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

        public GuestSpec build() {
            List<String> problems = new ArrayList<>();
            if (name != null && !NAME.matcher(name).matches()) {
                problems.add("name '" + name + "' must be 1-63 letters, digits, '.', '_' or '-', starting with a "
                        + "letter or digit; or leave it out and virtunit picks a unique one");
            }
            if (bootMode == null) {
                problems.add("nothing to boot: give an image (image = \"disk.qcow2\"), a live CD (liveCd = "
                        + "\"live.iso\") or an installer (cdrom = \"install.iso\", installDiskMiB = 8192)");
            } else if (bootMode == BootMode.DISK) {
                requireReadableFile(Optional.ofNullable(image), "image", problems);
                if (installDiskMiB > 0) {
                    problems.add("installDiskMiB is for installing from a CD-ROM; a guest that imports an image "
                            + "boots from that image. Drop installDiskMiB, or drop the image");
                }
            } else {
                requireReadableFile(Optional.ofNullable(cdrom), bootMode == BootMode.LIVE_CD ? "liveCd" : "cdrom", problems);
                if (bootMode == BootMode.INSTALL_FROM_CDROM && installDiskMiB < 16) {
                    problems.add("installDiskMiB " + installDiskMiB + " is too small for an installation; give at least 16");
                }
            }
            if (image != null && bootMode != BootMode.DISK) {
                problems.add("an image and a " + (bootMode == BootMode.LIVE_CD ? "live CD" : "CD-ROM installer")
                        + " were both given; a guest boots one way: keep one");
            }
            if (cdrom != null && bootMode == BootMode.DISK) {
                requireReadableFile(Optional.of(cdrom), "cdrom", problems);
            }
            if (memoryMiB < 64 || memoryMiB > 1024 * 1024) {
                problems.add("memoryMiB " + memoryMiB + " is out of range; give 64 or more (256 suits small test images)");
            }
            if (vcpus < 1 || vcpus > 64) {
                problems.add("vcpus " + vcpus + " is out of range; give 1 to 64");
            }
            for (long size : blankDisksMiB) {
                if (size < 1) {
                    problems.add("blank disk size " + size + " MiB must be at least 1");
                }
            }
            if (address != null && !validCidr(address)) {
                problems.add("address '" + address + "' is not an IPv4 address in CIDR notation such as 192.168.77.10/24");
            }
            if (gateway != null && !validIpv4(gateway)) {
                problems.add("gateway '" + gateway + "' is not an IPv4 address such as 192.168.77.1");
            }
            for (NicSpec nic : nics) {
                nic.address().filter(a -> !validCidr(a) && !a.matches("\\.\\d{1,3}(/\\d{1,2})?")).ifPresent(a -> problems.add("address '" + a + "' on "
                        + nic.segment().name() + " is not an IPv4 address in CIDR notation such as 192.168.77.10/24"));
                nic.mac().filter(m -> !m.matches("([0-9a-f]{2}:){5}[0-9a-f]{2}")).ifPresent(m -> problems.add("MAC '" + m
                        + "' on " + nic.segment().name() + " is not of the form 52:54:00:12:34:56"));
                if (nic.vlan() < 0 || nic.vlan() > 4094) {
                    problems.add("VLAN " + nic.vlan() + " on " + nic.segment().name() + " is out of range; give 1 to 4094, or 0 for none");
                }
                if (nic.vlan() != 0 && !(nic.segment() instanceof Bridge bridge && bridge.kind() == Bridge.Kind.OVS)) {
                    problems.add("VLAN " + nic.vlan() + " on " + nic.segment().name() + ": VLAN tags are "
                            + "for Open vSwitch bridges; use @OvsBridge");
                }
            }
            if (!nics.isEmpty() && (address != null || dhcp || gateway != null)) {
                problems.add("address, gateway and dhcp are for the default network; with NICs on bridges give each "
                        + "NIC its address");
            }
            if (dhcp && address != null) {
                problems.add("address '" + address + "' and dhcp were both given; keep one");
            }
            if (gateway != null && address == null) {
                problems.add("gateway '" + gateway + "' needs a static address; with DHCP the gateway comes from the DHCP server");
            }
            if (!userData.isBlank() && !userData.stripLeading().startsWith("#cloud-config")) {
                problems.add("userData must be cloud-config and start with '#cloud-config'");
            }
            if (user == null || !USER.matcher(user).matches()) {
                problems.add("user '" + user + "' is not a valid login name");
            }
            if (bootTimeout != null && (bootTimeout.isNegative() || bootTimeout.isZero())) {
                problems.add("bootTimeout " + bootTimeout + " must be positive");
            }
            if (!problems.isEmpty()) {
                throw new InvalidDeclarationException(origin + " is invalid: " + String.join("; ", problems));
            }
            return new GuestSpec(this);
        }

        private static void requireReadableFile(Optional<Path> file, String attribute, List<String> problems) {
            Path path = file.orElse(null);
            if (path == null) {
                problems.add(attribute + " is missing");
            } else if (!java.nio.file.Files.isRegularFile(path)) {
                problems.add(attribute + " '" + path + "' does not exist (resolved to " + path.toAbsolutePath()
                        + "); check the path, relative paths are resolved against the working directory");
            } else if (!java.nio.file.Files.isReadable(path)) {
                problems.add(attribute + " '" + path + "' is not readable by this user");
            }
        }

        private static boolean validCidr(String text) {
            var m = CIDR.matcher(text);
            return m.matches() && octets(m) && Integer.parseInt(m.group(5)) <= 32;
        }

        private static boolean validIpv4(String text) {
            var m = IPV4.matcher(text);
            return m.matches() && octets(m);
        }

        private static boolean octets(java.util.regex.Matcher m) {
            for (int i = 1; i <= 4; i++) {
                if (Integer.parseInt(m.group(i)) > 255) {
                    return false;
                }
            }
            return true;
        }
    }
}
