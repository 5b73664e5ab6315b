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
 * their topology. {@link GuestSpecBuilder#build()} checks the whole spec at once ({@link SpecRules}) and reports every
 * problem together; a spec that exists is valid. How the guest boots is one {@link BootSource}.
 *
 * @since 0.1
 */
public final class GuestSpec {

    /**
     * Top-level cloud-config keys virtunit writes itself to log in with keys it verifies; a guest's
     * {@link GuestSpecBuilder#userData(String)} must not set them ({@code ssh_authorized_keys} is merged instead).
     * {@code ssh_pwauth} is among them because setting it makes cloud-init restart sshd after SSH is up.
     *
     * @since 0.2
     */
    public static final List<String> RESERVED_USER_DATA_KEYS = List.of("disable_root", "ssh_pwauth", "manage_etc_hosts",
            "ssh_deletekeys", "ssh_genkeytypes", "ssh_keys");

    /**
     * Cloud-config keys whose lists in {@link GuestSpecBuilder#userData(String)} are added to virtunit's own list of
     * the same key (its items after virtunit's), so they must be lists. Any other key of the test's user-data is
     * taken as it is, replacing virtunit's where both set it ({@code hostname}, {@code locale}).
     *
     * @since 0.2
     */
    public static final List<String> MERGED_USER_DATA_LISTS =
            List.of("ssh_authorized_keys", "users", "write_files", "runcmd", "bootcmd", "packages");

    private final Optional<String> name;
    private final BootSource bootSource;
    private final int memoryMiB;
    private final int vcpus;
    private final List<Long> blankDisksMiB;
    private final Graphics graphics;
    private final Optional<Acceleration> acceleration;
    private final String origin;
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
    private final ImageLogin login;
    private final Optional<String> readyWhen;
    private final Optional<String> host;

    /**
     * A NIC on one of our bridges.
     *
     * @param segment the bridge or libvirt network it joins
     * @param address static address in CIDR notation; empty picks a free one on a bridge, DHCP on a libvirt network
     * @param vlan    VLAN tag of its port (Open vSwitch only); 0 for none
     * @param mac     its MAC address; empty picks a unique one
     */
    public record NicSpec(Segment segment, Optional<String> address, int vlan, Optional<String> mac) {

        /**
         * Checks that segment and address are not null; keeps the MAC in lower case.
         *
         * @param segment the bridge or libvirt network it joins
         * @param address static address in CIDR notation; empty picks a free one on a bridge, DHCP on a libvirt network
         * @param vlan    VLAN tag of its port (Open vSwitch only); 0 for none
         * @param mac     its MAC address; empty picks a unique one
         */
        public NicSpec {
            Objects.requireNonNull(segment, "segment");
            Objects.requireNonNull(address, "address");
            mac = mac.map(m -> m.toLowerCase(Locale.ROOT));
        }
    }

    /** {@code bootSource} is null only while {@link GuestSpecBuilder#build()} checks a spec that has none. */
    GuestSpec(GuestSpecBuilder b, BootSource bootSource) {
        this.name = Optional.ofNullable(b.name);
        this.bootSource = bootSource;
        this.memoryMiB = b.memoryMiB;
        this.vcpus = b.vcpus;
        this.blankDisksMiB = List.copyOf(b.blankDisksMiB);
        this.graphics = b.graphics;
        this.acceleration = Optional.ofNullable(b.acceleration);
        this.origin = b.origin;
        this.address = Optional.ofNullable(b.address);
        this.gateway = Optional.ofNullable(b.gateway);
        this.dhcp = b.dhcp;
        this.userData = b.userData;
        this.user = b.user;
        this.bootTimeout = Optional.ofNullable(b.bootTimeout);
        this.awaitSsh = b.awaitSsh;
        this.nics = List.copyOf(b.nics);
        this.seed = b.seed;
        this.login = b.login;
        this.readyWhen = Optional.ofNullable(b.readyWhen);
        this.host = Optional.ofNullable(b.host);
    }

    /** {@return NICs on our bridges, eth0 first; empty: one NIC on virtunit's default network} */
    public List<NicSpec> nics() {
        return nics;
    }

    /** {@return a builder with the defaults: 256 MiB, 1 vCPU, user root, an SSH wait} */
    public static GuestSpecBuilder builder() {
        return new GuestSpecBuilder();
    }

    /** {@return the libvirt domain name asked for; empty means virtunit chooses a unique {@code vu-...} name} */
    public Optional<String> name() {
        return name;
    }

    /** {@return how the guest boots: a disk image (with an inserted CD-ROM, perhaps), a live CD, or an installer CD} */
    public BootSource bootSource() {
        return bootSource;
    }

    /** {@return the guest's memory in MiB} */
    public int memoryMiB() {
        return memoryMiB;
    }

    /** {@return the number of virtual CPUs} */
    public int vcpus() {
        return vcpus;
    }

    /** {@return extra blank disks (qcow2, thin), by size} */
    public List<Long> blankDisksMiB() {
        return blankDisksMiB;
    }

    /** {@return the graphical console; {@link Graphics#NONE} for a serial console only} */
    public Graphics graphics() {
        return graphics;
    }

    /** {@return the acceleration asked for; empty: the lab's configured one} */
    public Optional<Acceleration> acceleration() {
        return acceleration;
    }

    /**
     * Static address in CIDR notation. Empty: with {@link #dhcp()} the guest asks DHCP, otherwise virtunit picks a
     * free address on the guest's network and configures it statically (no DHCP wait at boot).
     *
     * @return the address asked for, or empty
     */
    public Optional<String> address() {
        return address;
    }

    /** {@return whether the guest takes its address from the network's DHCP server, learned by virtunit from the lease} */
    public boolean dhcp() {
        return dhcp;
    }

    /** {@return default gateway for a static address; empty means the network's own gateway} */
    public Optional<String> gateway() {
        return gateway;
    }

    /** {@return extra {@code #cloud-config} merged into the seed virtunit writes; empty for none} */
    public String userData() {
        return userData;
    }

    /** {@return the user SSH logs in as} */
    public String user() {
        return user;
    }

    /** {@return the boot timeout asked for; empty: the lab's configured one} */
    public Optional<Duration> bootTimeout() {
        return bootTimeout;
    }

    /**
     * Whether readiness includes an SSH login; without it a guest is ready once it runs, or once its console shows
     * {@link #readyWhen()}.
     *
     * @return true when readiness waits for an SSH login
     */
    public boolean awaitSsh() {
        return awaitSsh;
    }

    /**

     * {@return whether virtunit writes a cloud-init seed: {@link Seed#NOCLOUD} (the default), or {@link Seed#NONE}}

     *

     * @since 0.2

     */
    public Seed seed() {
        return seed;
    }

    /**

     * {@return the password {@link #user()} already has in an image without a seed, tried after the identity file}

     *

     * @since 0.2

     */
    public Optional<String> password() {
        return login.password();
    }

    /**

     * {@return the unencrypted private key an image without a seed already accepts for {@link #user()}}

     *

     * @since 0.2

     */
    public Optional<Path> identityFile() {
        return login.identityFile();
    }

    /**
     * The {@code SHA256:...} fingerprint the host key of an image without a seed must have. Empty: the first key seen
     * is trusted, logged with its fingerprint, and required for the rest of the guest's life, reboots included.
     *
     * @return the fingerprint, or empty to trust on first use
     * @since 0.2
     */
    public Optional<String> hostKey() {
        return login.hostKey();
    }

    /**
     * {@return the login an image without a seed already has: {@link #identityFile()}, {@link #password()} and
     * {@link #hostKey()} together; {@link ImageLogin#NONE} when none was given}
     *
     * @since 0.4
     */
    public ImageLogin login() {
        return login;
    }

    /**
     * The name of a host in {@code virtunit.hosts} the guest must run on. Meaningful only in a lab over several
     * hosts; in a lab of one host it must be absent or name that host (the lab checks when it places the guest).
     *
     * @return the host's name, or empty: virtunit chooses one by free capacity
     * @since 0.4
     */
    public Optional<String> host() {
        return host;
    }

    /**
     * Ready once a serial console line after the (re)start contains this, literally or as a regular expression; then,
     * if {@link #awaitSsh()}, once SSH logs in too.
     *
     * @return the text or pattern, or empty for none
     * @since 0.2
     */
    public Optional<String> readyWhen() {
        return readyWhen;
    }

    /**
     * What declared this guest, as errors found later (at provisioning) name it: the field or parameter of an
     * annotation ({@code @LibvirtGuest field [com.acme.NatTest.router]}), else {@code guest}.
     *
     * @return a short description for messages; never empty
     * @since 0.2
     */
    public String origin() {
        return origin;
    }

    @Override
    public String toString() {
        return "GuestSpec[" + name.orElse("(auto)") + ", " + bootSource + ", " + memoryMiB + " MiB, " + vcpus + " vCPU"
                + host.map(h -> ", on host " + h).orElse("") + "]";
    }
}
