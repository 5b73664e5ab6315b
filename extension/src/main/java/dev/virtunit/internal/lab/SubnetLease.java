package dev.virtunit.internal.lab;

import dev.virtunit.Cidr;
import dev.virtunit.VirtunitException;
import dev.virtunit.internal.host.HostCommands;
import dev.virtunit.internal.net.Routes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A /24 subnet leased to one run: 192.168.X.0/24 with X in 100..249, overlapping no route (but a default route) or
 * address on this host and no libvirt network, and leased to no other live run (the lease is a file created
 * atomically, so forked test JVMs never pick the same one). The host's uplink and the package archive live in other ranges, so a test
 * network here can never cut the machine off.
 *
 * @param prefix the first three octets, e.g. {@code 192.168.123}
 * @param file   the lease file, deleted by {@link #release()}
 */
public record SubnetLease(String prefix, Path file) {

    /** An address with its prefix in a line of {@code ip -4 -o addr}. */
    private static final Pattern INET = Pattern.compile("\\binet\\s+(\\d+\\.\\d+\\.\\d+\\.\\d+/\\d+)");
    private static final Pattern IP_OR_ROUTE = Pattern.compile("<(ip|route)\\b([^>]*)>");
    private static final Pattern NETWORK_NAME = Pattern.compile("<name>([^<]+)</name>");
    private static final int MAX_BLOCKERS_NAMED = 5;
    private static final int FIRST = 100;
    private static final int LAST = 249;

    /** The host address, {@code .1}: the gateway guests use. */
    public String gateway() {
        return prefix + ".1";
    }

    public String cidr() {
        return prefix + ".0/24";
    }

    /** The {@code n}th host address, e.g. {@code host(10)} is {@code 192.168.X.10}. */
    public String host(int n) {
        return prefix + "." + n;
    }

    public void release() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot release subnet lease " + file, e);
        }
    }

    /**
     * Leases a free subnet for {@code run}. {@code libvirtNetworkXml} are the XML descriptions of every libvirt
     * network, active or not, whose addresses are taken too; the host's own routes and addresses are read with
     * {@code ip} through {@code host}. A candidate is skipped when it overlaps any of them, whatever their prefix:
     * a {@code 192.168.0.0/16} route takes all of them, a {@code 192.168.100.128/25} only {@code 192.168.100.0/24}.
     * Default routes ({@code /0}) take none: every subnet falls under them until a test network adds its own route.
     */
    public static SubnetLease acquire(Path stateDir, String run, Collection<String> libvirtNetworkXml, HostCommands host) {
        Path dir = stateDir.resolve("leases");
        List<Taken> taken = new ArrayList<>();
        // The two listings are independent programs: the addresses are listed beside the routes.
        SideTask<String> addresses = SideTask.start("virtunit-subnet-addresses",
                () -> host.check(Duration.ofSeconds(10), List.of("ip", "-4", "-o", "addr")).stdout());
        String routes;
        try {
            routes = host.check(Duration.ofSeconds(10), List.of("ip", "-4", "route", "show", "table", "all")).stdout();
        } catch (RuntimeException e) {
            addresses.settle().ifPresent(e::addSuppressed);
            throw e;
        }
        for (String route : Routes.parse(routes).lines()) {
            Routes.destination(route).ifPresent(cidr -> taken.add(new Taken(cidr, "the host's route '" + route + "'")));
        }
        for (String line : addresses.join().lines().toList()) {
            Matcher inet = INET.matcher(line);
            if (inet.find()) {
                taken.add(new Taken(Cidr.parse(inet.group(1)).network(), "the host's address " + inet.group(1)));
            }
        }
        libvirtNetworkXml.forEach(xml -> taken.addAll(libvirtNetworkSubnets(xml)));
        // A default route covers everything and is no network on a link; a test network is more specific than it.
        taken.removeIf(t -> t.cidr().prefixLength() == 0);
        Set<String> blockers = new LinkedHashSet<>();
        try {
            Files.createDirectories(dir);
            reclaimAbandoned(dir, stateDir);
            for (int third = FIRST; third <= LAST; third++) {
                Cidr candidate = Cidr.parse("192.168." + third + ".0/24");
                List<String> overlapping = taken.stream().filter(t -> t.cidr().overlaps(candidate)).map(Taken::what).toList();
                if (!overlapping.isEmpty()) {
                    blockers.addAll(overlapping);
                    continue;
                }
                Path file = dir.resolve("192.168." + third + ".0-24");
                try {
                    Files.writeString(Files.createFile(file), run + "\n");
                    return new SubnetLease("192.168." + third, file);
                } catch (FileAlreadyExistsException leasedByAnotherRun) {
                    blockers.add("a lease in " + dir);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lease a subnet in " + dir, e);
        }
        throw new VirtunitException("no free subnet among 192.168." + FIRST + "-" + LAST + ".0/24: all overlap "
                + String.join(", ", blockers.stream().limit(MAX_BLOCKERS_NAMED).toList())
                + (blockers.size() > MAX_BLOCKERS_NAMED ? " and " + (blockers.size() - MAX_BLOCKERS_NAMED) + " more" : "")
                + ". Remove stale test networks with scripts/check-leftovers --remove, or free part of that range");
    }

    /** A subnet something on the host uses, and what, for the error when nothing is left. */
    private record Taken(Cidr cidr, String what) {
    }

    /** The {@code <ip>} and {@code <route>} subnets of a libvirt network; without a netmask or prefix, a /24. */
    private static List<Taken> libvirtNetworkSubnets(String xml) {
        Matcher name = NETWORK_NAME.matcher(xml);
        String network = "libvirt network " + (name.find() ? name.group(1) : "(unnamed)");
        List<Taken> subnets = new ArrayList<>();
        Matcher element = IP_OR_ROUTE.matcher(xml);
        while (element.find()) {
            String attributes = element.group(2);
            Optional<String> address = attribute(attributes, "address");
            if (address.isEmpty() || !Cidr.isAddress(address.get())) {
                continue; // an IPv6 address, or no address at all
            }
            int prefix = attribute(attributes, "prefix").map(Integer::parseInt)
                    .or(() -> attribute(attributes, "netmask").filter(Cidr::isAddress)
                            .map(mask -> Integer.bitCount(Cidr.parseAddress(mask))))
                    .orElse(24);
            Cidr cidr = new Cidr(Cidr.parseAddress(address.get()), prefix).network();
            subnets.add(new Taken(cidr, network + " (" + cidr + ")"));
        }
        return subnets;
    }

    private static Optional<String> attribute(String attributes, String name) {
        Matcher value = Pattern.compile("\\b" + name + "\\s*=\\s*['\"]([^'\"]*)['\"]").matcher(attributes);
        return value.find() ? Optional.of(value.group(1)) : Optional.empty();
    }

    /** Leases of runs that died go back to the pool. */
    private static void reclaimAbandoned(Path dir, Path stateDir) throws IOException {
        Set<String> abandoned = new HashSet<>();
        Set<String> known = new HashSet<>();
        for (RunRecord record : RunRecord.all(stateDir)) {
            known.add(record.run());
            if (record.isAbandoned()) {
                abandoned.add(record.run());
            }
        }
        try (var leases = Files.list(dir)) {
            for (Path lease : leases.toList()) {
                Optional<String> owner = readOwner(lease);
                if (owner.isPresent() && (abandoned.contains(owner.get()) || !known.contains(owner.get()))) {
                    Files.deleteIfExists(lease);
                }
            }
        }
    }

    private static Optional<String> readOwner(Path lease) {
        try {
            return Optional.of(Files.readString(lease).strip());
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
