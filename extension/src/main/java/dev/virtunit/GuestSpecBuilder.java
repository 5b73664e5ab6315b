package dev.virtunit;

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
public final class GuestSpecBuilder extends BootSourceChoice {
    // How the guest boots (bootFrom, image, cdrom, liveCd, installFromCdrom) is collected by BootSourceChoice; the
    // login of an image without a seed is one ImageLogin. Package-private: GuestSpec's constructor copies them.
    String name;
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
    ImageLogin login = ImageLogin.NONE;
    String readyWhen;
    String host;

    GuestSpecBuilder() {
    }

    /**
     * Where this spec was declared, e.g. {@code @LibvirtGuest field [com.acme.NatTest.router]}; used in messages.
     *
     * @param origin the description; not null; default {@code guest}
     * @return this builder
     */
    public GuestSpecBuilder origin(String origin) {
        this.origin = Objects.requireNonNull(origin);
        return this;
    }

    /**
     * The libvirt domain name to use instead of a unique {@code vu-<run>-...} one; a name that is taken fails.
     *
     * @param name the domain name; null: virtunit chooses
     * @return this builder
     */
    public GuestSpecBuilder name(String name) {
        this.name = name;
        return this;
    }

    /**
     * The guest's memory.
     *
     * @param memoryMiB in MiB; default 256
     * @return this builder
     */
    public GuestSpecBuilder memoryMiB(int memoryMiB) {
        this.memoryMiB = memoryMiB;
        return this;
    }

    /**
     * The number of virtual CPUs.
     *
     * @param vcpus default 1
     * @return this builder
     */
    public GuestSpecBuilder vcpus(int vcpus) {
        this.vcpus = vcpus;
        return this;
    }

    /**
     * Adds a blank disk of this size (thin qcow2: it costs host disk only as the guest writes); each call adds one.
     *
     * @param sizeMiB the disk's size in MiB
     * @return this builder
     */
    public GuestSpecBuilder blankDisk(long sizeMiB) {
        blankDisksMiB.add(sizeMiB);
        return this;
    }

    /**
     * The graphical console.
     *
     * @param graphics not null; default {@link Graphics#NONE}
     * @return this builder
     */
    public GuestSpecBuilder graphics(Graphics graphics) {
        this.graphics = Objects.requireNonNull(graphics);
        return this;
    }

    /**
     * The acceleration for this guest.
     *
     * @param acceleration null: the lab's configured one
     * @return this builder
     */
    public GuestSpecBuilder acceleration(Acceleration acceleration) {
        this.acceleration = acceleration;
        return this;
    }

    /**
     * A static address in CIDR notation; see {@link GuestSpec#address()}.
     *
     * @param cidr in CIDR notation, e.g. {@code 192.168.77.10/24}; null: virtunit picks one, or DHCP with {@link #dhcp}
     * @return this builder
     */
    public GuestSpecBuilder address(String cidr) {
        this.address = cidr;
        return this;
    }

    /**
     * The default gateway for a static address.
     *
     * @param gateway a dotted address; null: the network's own gateway
     * @return this builder
     */
    public GuestSpecBuilder gateway(String gateway) {
        this.gateway = gateway;
        return this;
    }

    /**
     * Take the address from the network's DHCP server rather than a static one virtunit picks.
     *
     * @param dhcp true for DHCP; default false
     * @return this builder
     */
    public GuestSpecBuilder dhcp(boolean dhcp) {
        this.dhcp = dhcp;
        return this;
    }

    /**
     * Extra {@code #cloud-config} for the guest, merged into virtunit's own by key.
     *
     * @param cloudConfig the cloud-config text; not null; empty (the default) for none
     * @return this builder
     */
    public GuestSpecBuilder userData(String cloudConfig) {
        this.userData = Objects.requireNonNull(cloudConfig);
        return this;
    }

    /**
     * The user SSH logs in as.
     *
     * @param user default {@code root}
     * @return this builder
     */
    public GuestSpecBuilder user(String user) {
        this.user = user;
        return this;
    }

    /**
     * How long the guest may take to become ready.
     *
     * @param bootTimeout null: the lab's configured boot timeout
     * @return this builder
     */
    public GuestSpecBuilder bootTimeout(Duration bootTimeout) {
        this.bootTimeout = bootTimeout;
        return this;
    }

    /**
     * Adds a NIC on {@code bridge} with an address virtunit picks; the first NIC is eth0.
     *
     * @param bridge the bridge or network the NIC joins
     * @return this builder
     */
    public GuestSpecBuilder nic(Segment bridge) {
        return nic(bridge, null, 0, null);
    }

    /**
     * Adds a NIC on {@code bridge} with a static address.
     *
     * @param bridge the bridge or network the NIC joins
     * @param cidr the address in CIDR notation
     * @return this builder
     */
    public GuestSpecBuilder nic(Segment bridge, String cidr) {
        return nic(bridge, Objects.requireNonNull(cidr, "cidr"), 0, null);
    }

    /**
     * Adds a NIC on {@code bridge} with a static address and a VLAN tag.
     *
     * @param bridge the bridge or network the NIC joins
     * @param cidr the address in CIDR notation; null: virtunit picks
     * @param vlan the VLAN tag of its port (Open vSwitch only); 0 for none
     * @return this builder
     */
    public GuestSpecBuilder nic(Segment bridge, String cidr, int vlan) {
        return nic(bridge, cidr, vlan, null);
    }

    /**
     * Adds a NIC with every attribute.
     *
     * @param segment the bridge or network the NIC joins
     * @param cidr the address in CIDR notation; null: picked on a bridge, DHCP on a libvirt network
     * @param vlan the VLAN tag of its port (Open vSwitch only); 0 for none
     * @param mac its MAC address; null: a unique one is picked
     * @return this builder
     */
    public GuestSpecBuilder nic(Segment segment, String cidr, int vlan, String mac) {
        nics.add(new GuestSpec.NicSpec(segment, Optional.ofNullable(cidr), vlan, Optional.ofNullable(mac)));
        return this;
    }

    /**
     * Whether readiness waits for an SSH login or only for the domain to run (and {@link #readyWhen}).
     *
     * @param awaitSsh default true
     * @return this builder
     */
    public GuestSpecBuilder awaitSsh(boolean awaitSsh) {
        this.awaitSsh = awaitSsh;
        return this;
    }

    /**
     * Whether virtunit writes a cloud-init seed; {@link Seed#NONE} for an image without cloud-init, reached with the
     * login it has.
     *
     * @param seed default {@link Seed#NOCLOUD}
     * @return this builder
     * @since 0.2
     */
    public GuestSpecBuilder seed(Seed seed) {
        this.seed = seed;
        return this;
    }

    /**
     * The login an image without a seed already has, all at once; replaces what {@link #password},
     * {@link #identityFile} and {@link #hostKey} gave. Pair it with {@link #seed seed(Seed.NONE)}.
     *
     * @param login not null; default {@link ImageLogin#NONE}
     * @return this builder
     * @since 0.4
     */
    public GuestSpecBuilder login(ImageLogin login) {
        this.login = Objects.requireNonNull(login, "login");
        return this;
    }

    /**
     * The password {@link #user} already has in an image without a seed; see {@link GuestSpec#password()}.
     *
     * @param password null: none
     * @return this builder
     * @since 0.2
     */
    public GuestSpecBuilder password(String password) {
        this.login = login.withPassword(password);
        return this;
    }

    /**
     * The private key an image without a seed already accepts; see {@link GuestSpec#identityFile()}.
     *
     * @param privateKey an unencrypted key file; null: none
     * @return this builder
     * @since 0.2
     */
    public GuestSpecBuilder identityFile(Path privateKey) {
        this.login = login.withIdentityFile(privateKey);
        return this;
    }

    /**
     * The host key an image without a seed must show; see {@link GuestSpec#hostKey()}.
     *
     * @param sha256Fingerprint {@code SHA256:...}; null: trusted on first use
     * @return this builder
     * @since 0.2
     */
    public GuestSpecBuilder hostKey(String sha256Fingerprint) {
        this.login = login.withHostKey(sha256Fingerprint);
        return this;
    }

    /**
     * A console line that marks the guest ready; see {@link GuestSpec#readyWhen()}.
     *
     * @param consoleLine literal text or a regular expression, e.g. {@code "login:"}; null: none
     * @return this builder
     * @since 0.2
     */
    public GuestSpecBuilder readyWhen(String consoleLine) {
        this.readyWhen = consoleLine;
        return this;
    }

    /**
     * The host the guest must run on: the name of a host in {@code virtunit.hosts}. Meaningful only in a lab over
     * several hosts; in a lab of one host it must be absent or name that host (the lab checks when it places the
     * guest). See {@link GuestSpec#host()}.
     *
     * @param name a host name of {@code virtunit.hosts}, e.g. {@code kvm1}; null: virtunit chooses
     * @return this builder
     * @since 0.4
     */
    public GuestSpecBuilder host(String name) {
        this.host = name;
        return this;
    }

    /**
     * Checks every attribute at once and makes the spec.
     *
     * @return the spec, immutable
     * @throws InvalidDeclarationException naming every problem with its remedy, under {@link #origin}
     */
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
