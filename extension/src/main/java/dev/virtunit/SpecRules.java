package dev.virtunit;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Every rule a {@link GuestSpec}, {@link BridgeSpec} or {@link NetworkSpec} must satisfy, in one place. Each rule adds
 * its problem, naming the attribute, the value and the remedy, so a spec reports them all together, before anything
 * is created. Addresses are read by {@link Cidr} only.
 */
final class SpecRules {

    /**
     * libvirt accepts more, but these survive shells, file names and interface names unquoted. The names of the hosts
     * in {@code virtunit.hosts} follow it too: they name a guest's host in messages, logs and the run's records.
     */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");
    private static final Pattern USER = Pattern.compile("[a-z_][a-z0-9_-]{0,31}");
    /** What a digest of a downloaded image looks like; {@link ImageLocation.Url} lowers it. */
    private static final Pattern SHA256_DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");
    /** Lower case: {@link GuestSpec.NicSpec} lowers what it is given. */
    private static final Pattern MAC = Pattern.compile("([0-9a-f]{2}:){5}[0-9a-f]{2}");
    /** The whole IPv4 space, to check the form of an address relative to a subnet not chosen yet. */
    private static final Cidr ANY_SUBNET = new Cidr(0, 0);

    private SpecRules() {
    }

    /**
     * The one boot source given, with an inserted CD-ROM folded into a disk image; null, with the problem added, when
     * there is none, more than one, or a CD-ROM that a live CD or installer cannot take.
     */
    static BootSource chooseBootSource(List<BootSource> given, Path insertedCdrom, List<String> problems) {
        if (given.isEmpty()) {
            problems.add("nothing to boot: give an image (image = \"disk.qcow2\"), a live CD (liveCd = "
                    + "\"live.iso\") or an installer (cdrom = \"install.iso\", installDiskMiB = 8192)");
            return null;
        }
        if (given.size() > 1) {
            problems.add(String.join(" and ", given.stream().map(SpecRules::attribute).toList())
                    + " were both given; a guest boots one way: keep one");
            return null;
        }
        BootSource source = given.get(0);
        if (insertedCdrom == null) {
            return source;
        }
        if (source instanceof BootSource.DiskImage disk) {
            if (disk.cdrom().isPresent()) {
                problems.add("cdrom was given twice ('" + disk.cdrom().get() + "' and '" + insertedCdrom + "'); a guest "
                        + "has one CD-ROM drive: keep one");
                return null;
            }
            return new BootSource.DiskImage(disk.image(), Optional.of(insertedCdrom));
        }
        problems.add(source instanceof BootSource.LiveCd
                ? "liveCd and cdrom were both given; a live CD is the CD-ROM: keep liveCd"
                : "an installer CD and cdrom were both given; the installer is the CD-ROM: drop cdrom");
        return null;
    }

    /** The attribute that gives {@code source}, as messages name it. */
    private static String attribute(BootSource source) {
        if (source instanceof BootSource.DiskImage) {
            return "image";
        }
        return source instanceof BootSource.LiveCd ? "liveCd" : "installer cdrom";
    }

    /** A problem for every rule {@code spec} breaks, in attribute order; {@code bootProblems} are the builder's. */
    static List<String> problems(GuestSpec spec, List<String> bootProblems) {
        List<String> problems = new ArrayList<>();
        spec.name().filter(name -> !NAME.matcher(name).matches()).ifPresent(name -> problems.add("name '" + name
                + "' must be 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit; or leave it out "
                + "and virtunit picks a unique one"));
        spec.host().filter(host -> !NAME.matcher(host).matches()).ifPresent(host -> problems.add("host '" + host
                + "' is not a host name of virtunit.hosts: 1-63 letters, digits, '.', '_' or '-', starting with a letter "
                + "or digit (e.g. kvm1); give the name the pool lists, or leave it out and virtunit chooses"));
        problems.addAll(bootProblems);
        checkBootSource(spec.bootSource(), problems);
        if (spec.memoryMiB() < 64 || spec.memoryMiB() > 1024 * 1024) {
            problems.add("memoryMiB " + spec.memoryMiB() + " is out of range; give 64 or more (256 suits small test images)");
        }
        if (spec.vcpus() < 1 || spec.vcpus() > 64) {
            problems.add("vcpus " + spec.vcpus() + " is out of range; give 1 to 64");
        }
        spec.blankDisksMiB().stream().filter(size -> size < 1)
                .forEach(size -> problems.add("blank disk size " + size + " MiB must be at least 1"));
        checkDefaultNetwork(spec, problems);
        spec.nics().forEach(nic -> checkNic(nic, problems));
        UserDataRules.check(spec.userData(), spec.user(), problems);
        if (spec.user() == null || !USER.matcher(spec.user()).matches()) {
            problems.add("user '" + spec.user() + "' is not a login name: 1-32 lower-case letters, digits, '_' or '-', "
                    + "starting with a letter or '_' (useradd's rule); give one such as \"tester\", or leave it out for root");
        }
        spec.bootTimeout().filter(timeout -> timeout.isNegative() || timeout.isZero())
                .ifPresent(timeout -> problems.add("bootTimeout " + timeout + " must be positive; give the time a boot "
                        + "may take, e.g. 120 s, or leave it out for the lab's virtunit.boot.timeout"));
        LoginRules.check(spec, problems);
        return problems;
    }

    private static void checkBootSource(BootSource source, List<String> problems) {
        if (source instanceof BootSource.DiskImage disk) {
            checkImage(disk.image(), problems);
            disk.cdrom().ifPresent(iso -> requireReadableFile(iso, "cdrom", problems));
        } else if (source instanceof BootSource.LiveCd live) {
            requireReadableFile(live.iso(), "liveCd", problems);
        } else if (source instanceof BootSource.InstallerCd installer) {
            requireReadableFile(installer.iso(), "cdrom", problems);
            if (installer.diskMiB() < 16) {
                problems.add("installDiskMiB " + installer.diskMiB() + " is too small for an installation; give at least 16");
            }
        }
    }

    /** A file that can be read, a URL virtunit can download, or a built-in image that exists. */
    private static void checkImage(ImageLocation image, List<String> problems) {
        if (image instanceof ImageLocation.LocalFile file) {
            requireReadableFile(file.path(), "image", problems);
        } else if (image instanceof ImageLocation.Url url) {
            checkUrl(url.address(), problems);
            url.digest().filter(digest -> !SHA256_DIGEST.matcher(digest).matches()).ifPresent(digest -> problems.add(
                    "image digest '" + digest + "' is not of the form sha256:<64 hex digits>; give the sha256 of the "
                            + "file as the server sends it (sha256sum prints it), or no digest"));
        } else if (image instanceof ImageLocation.BuiltIn builtIn && !ImageLocation.BUILT_IN_NAMES.contains(builtIn.name())) {
            problems.add("image '" + builtIn + "' names no built-in image; the built-in images are "
                    + String.join(", ", ImageLocation.BUILT_IN_NAMES.stream().map(n -> ImageLocation.BUILT_IN_PREFIX + n).toList()));
        }
    }

    private static void checkUrl(String address, List<String> problems) {
        URI uri;
        try {
            uri = new URI(address);
        } catch (URISyntaxException e) {
            problems.add("image URL '" + address + "' is not a valid URL (" + e.getReason() + " at index " + e.getIndex() + "); escape spaces and "
                    + "other special characters (%20)");
            return;
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            problems.add("image URL '" + address + "' has " + (scheme.isEmpty() ? "no scheme" : "scheme " + scheme)
                    + "; virtunit downloads http:// and https:// URLs only: give one, or fetch the image yourself and "
                    + "give its path");
        } else if (uri.getHost() == null) {
            problems.add("image URL '" + address + "' names no host; write it as " + scheme + "://host/path/image.qcow2");
        }
    }

    /** address, gateway and dhcp: the one NIC on virtunit's default network. */
    private static void checkDefaultNetwork(GuestSpec spec, List<String> problems) {
        Optional<String> address = spec.address();
        Optional<String> gateway = spec.gateway();
        address.filter(a -> !isCidr(a)).ifPresent(a -> problems.add("address '" + a
                + "' is not an IPv4 address in CIDR notation such as 192.168.77.10/24"));
        gateway.filter(g -> !Cidr.isAddress(g)).ifPresent(g -> problems.add("gateway '" + g
                + "' is not an IPv4 address such as 192.168.77.1"));
        if (!spec.nics().isEmpty() && (address.isPresent() || spec.dhcp() || gateway.isPresent())) {
            problems.add("address, gateway and dhcp are for the default network; with NICs on bridges give each NIC its address");
        }
        if (spec.dhcp() && address.isPresent()) {
            problems.add("address '" + address.get() + "' and dhcp were both given; keep one");
        }
        if (gateway.isPresent() && address.filter(SpecRules::isCidr).isPresent() && Cidr.isAddress(gateway.get())) {
            Cidr own = Cidr.parse(address.get());
            if (own.address() == Cidr.parseAddress(gateway.get())) {
                problems.add("address '" + address.get() + "' is its own gateway; the gateway is another host of the "
                        + "subnet (the host's address on it): give a different address or gateway");
            } else if (!own.network().contains(gateway.get())) {
                problems.add("gateway '" + gateway.get() + "' is outside the subnet " + own.network() + " of address '"
                        + address.get() + "'; a gateway must be reachable on the guest's own subnet: give one in "
                        + own.network());
            }
        }
        if (gateway.isPresent() && address.isEmpty()) {
            problems.add("gateway '" + gateway.get() + "' needs a static address; with DHCP the gateway comes from the DHCP server");
        }
    }

    private static void checkNic(GuestSpec.NicSpec nic, List<String> problems) {
        String segment = nic.segment().name();
        nic.address().filter(a -> !isNicAddress(a)).ifPresent(a -> problems.add("address '" + a + "' on " + segment
                + " is not an IPv4 address in CIDR notation such as 192.168.77.10/24"));
        nic.address().filter(SpecRules::isNicAddress).ifPresent(a -> checkAddressOnSegment(a, nic.segment(), problems));
        nic.mac().filter(m -> !MAC.matcher(m).matches()).ifPresent(m -> problems.add("MAC '" + m + "' on " + segment
                + " is not of the form 52:54:00:12:34:56"));
        if (nic.vlan() < 0 || nic.vlan() > 4094) {
            problems.add("VLAN " + nic.vlan() + " on " + segment + " is out of range; give 1 to 4094, or 0 for none");
        }
        if (nic.vlan() != 0 && !(nic.segment() instanceof Bridge bridge && bridge.kind() == Bridge.Kind.OVS)) {
            problems.add("VLAN " + nic.vlan() + " on " + segment + ": VLAN tags are for Open vSwitch bridges; use @OvsBridge");
        }
    }

    /**
     * On a segment the host is on, a NIC's address must be a host of its subnet that is neither the subnet's network
     * or broadcast address nor the host's gateway: the guest would not reach the host, or would take its address.
     */
    private static void checkAddressOnSegment(String address, Segment segment, List<String> problems) {
        if (segment.gateway() == null || !Cidr.isAddress(segment.gateway())) {
            return; // the host is not on a pure layer-2 segment: its guests may number it as the test likes
        }
        Cidr subnet;
        try {
            subnet = Cidr.parse(segment.cidr()).network();
        } catch (RuntimeException e) {
            return;
        }
        String where = "address '" + address + "' on " + segment.name();
        int host;
        try {
            host = Cidr.resolve(address, subnet).address();
        } catch (IllegalArgumentException e) {
            problems.add(where + ": " + e.getMessage() + "; give a host of " + subnet + ", such as .20");
            return;
        }
        int broadcast = subnet.address() | ~subnet.mask();
        if (!subnet.contains(host)) {
            problems.add(where + " is outside its subnet " + subnet + "; give an address in " + subnet
                    + ", or a host part such as .20");
        } else if (host == subnet.address() || host == broadcast) {
            problems.add(where + " is the subnet's " + (host == broadcast ? "broadcast" : "network") + " address; give "
                    + "a host address such as .20");
        } else if (Cidr.parseAddress(segment.gateway()) == host) {
            problems.add(where + " is the host's gateway address on " + segment.name() + "; give another, such as .20 "
                    + "(virtunit hands out .10 upward when you give none)");
        }
    }

    /** The problems of a bridge with these attributes. */
    static List<String> bridgeProblems(Bridge.Kind kind, Optional<String> cidr, Bridge.Gateway gateway,
                                       Optional<String> natUplink, List<String> portForwards) {
        List<String> problems = new ArrayList<>();
        checkSubnet(cidr, problems);
        if (natUplink.isPresent() && gateway == Bridge.Gateway.NONE) {
            problems.add("a bridge with NAT needs a gateway address on the host; give gateway ON_BRIDGE or ON_VETH, "
                    + "or drop natUplink");
        }
        if (!portForwards.isEmpty() && natUplink.isEmpty()) {
            problems.add("port forwards need NAT: give natUplink (the host interface toward the outside), or drop "
                    + "portForwards");
        }
        Optional<Cidr> subnet = cidr.flatMap(SpecRules::parsedSubnet);
        for (String forward : portForwards) {
            try {
                PortForwardRule rule = PortForwardRule.parse(forward);
                subnet.filter(declared -> !declared.contains(rule.guestAddressIn(declared))).ifPresent(declared ->
                        problems.add("port forward '" + forward + "' points at " + rule.guestAddress()
                                + ", outside the bridge's subnet " + declared.network() + "; give a guest address in "
                                + declared.network() + ", or a host part such as ->.10:80"));
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
            }
        }
        return problems;
    }

    private static Optional<Cidr> parsedSubnet(String text) {
        try {
            return Optional.of(Cidr.parse(text).network());
        } catch (IllegalArgumentException e) {
            return Optional.empty();   // reported by checkSubnet
        }
    }

    /** The problems of a libvirt network with these attributes. */
    static List<String> networkProblems(Network.Mode mode, Optional<String> cidr, boolean dhcp, int dhcpFirst,
                                        int dhcpLast, List<NetworkSpec.DhcpHost> dhcpHosts, Optional<String> uplink) {
        List<String> problems = new ArrayList<>();
        checkSubnet(cidr, problems);
        if (dhcpFirst < 2 || dhcpLast > 254 || dhcpFirst > dhcpLast) {
            problems.add("DHCP range ." + dhcpFirst + " to ." + dhcpLast + " is not within .2 to .254 (the host is .1), "
                    + "first before last");
        }
        for (NetworkSpec.DhcpHost host : dhcpHosts) {
            if (!MAC.matcher(host.mac()).matches() || !(Cidr.isAddress(host.address()) || Cidr.isRelativeAddress(host.address()))) {
                problems.add("dhcpHosts entry '" + host + "' is not of the form 52:54:00:00:00:12=192.168.122.12 "
                        + "(or =.12 for host 12 of the subnet)");
            }
        }
        if (!dhcpHosts.isEmpty() && !dhcp) {
            problems.add("dhcpHosts need dhcp = true: give dhcp = true, or drop dhcpHosts");
        }
        if (mode == Network.Mode.ISOLATED && uplink.isPresent()) {
            problems.add("an isolated network forwards nowhere; drop uplink or use mode NAT or ROUTE");
        }
        return problems;
    }

    private static void checkSubnet(Optional<String> cidr, List<String> problems) {
        cidr.filter(value -> !isCidr(value)).ifPresent(value -> problems.add("cidr '" + value
                + "' is not a subnet in CIDR notation such as 192.168.77.0/24"));
    }

    static void requireReadableFile(Path path, String attribute, List<String> problems) {
        if (!Files.isRegularFile(path)) {
            problems.add(attribute + " '" + path + "' does not exist (resolved to " + path.toAbsolutePath()
                    + "); check the path, relative paths are resolved against the working directory");
        } else if (!Files.isReadable(path)) {
            problems.add(attribute + " '" + path + "' is not readable by this user (" + System.getProperty("user.name")
                    + "); make it readable (chmod a+r) or copy it where this user can read it");
        }
    }

    /** A full address with its prefix length, such as {@code 192.168.77.10/24}. */
    private static boolean isCidr(String text) {
        try {
            Cidr.parse(text);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** A full address with its prefix length, or a host part of the segment's subnet: {@code .20}, {@code .20/24}. */
    private static boolean isNicAddress(String text) {
        if (!text.startsWith(".")) {
            return isCidr(text);
        }
        try {
            Cidr.resolve(text, ANY_SUBNET);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
