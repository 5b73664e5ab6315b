package dev.virtunit.internal.lab;

import dev.virtunit.VirtunitException;
import dev.virtunit.internal.host.HostCommands;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A /24 subnet leased to one run: 192.168.X.0/24 with X in 100..249, used by no route or address on this host,
 * by no libvirt network, and leased to no other live run (the lease is a file created atomically, so forked test
 * JVMs never pick the same one). The host's uplink and the package archive live in other ranges, so a test
 * network here can never cut the machine off.
 *
 * @param prefix the first three octets, e.g. {@code 192.168.123}
 * @param file   the lease file, deleted by {@link #release()}
 */
public record SubnetLease(String prefix, Path file) {

    private static final Pattern THIRD_OCTET = Pattern.compile("192\\.168\\.(\\d{1,3})\\.");
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
     * {@code ip} through {@code host}.
     */
    public static SubnetLease acquire(Path stateDir, String run, Collection<String> libvirtNetworkXml, HostCommands host) {
        Path dir = stateDir.resolve("leases");
        Set<Integer> taken = new HashSet<>();
        String hostView = host.check(Duration.ofSeconds(10), List.of("ip", "-4", "route", "show", "table", "all")).stdout()
                + host.check(Duration.ofSeconds(10), List.of("ip", "-4", "-o", "addr")).stdout();
        collect(hostView, taken);
        libvirtNetworkXml.forEach(xml -> collect(xml, taken));
        try {
            Files.createDirectories(dir);
            reclaimAbandoned(dir, stateDir);
            for (int third = FIRST; third <= LAST; third++) {
                if (taken.contains(third)) {
                    continue;
                }
                Path file = dir.resolve("192.168." + third + ".0-24");
                try {
                    Files.writeString(Files.createFile(file), run + "\n");
                    return new SubnetLease("192.168." + third, file);
                } catch (FileAlreadyExistsException leasedByAnotherRun) {
                    // try the next one
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lease a subnet in " + dir, e);
        }
        throw new VirtunitException("no free subnet among 192.168." + FIRST + "-" + LAST + ".0/24: all are routed on "
                + "this host, used by libvirt networks or leased in " + dir + "; remove stale networks with "
                + "scripts/check-leftovers --remove");
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

    private static void collect(String text, Set<Integer> taken) {
        THIRD_OCTET.matcher(text).results().forEach(m -> taken.add(Integer.parseInt(m.group(1))));
    }
}
