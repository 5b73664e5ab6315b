package dev.virtunit;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads a pool of libvirt hosts from its settings: {@code virtunit.hosts} lists hosts by name or by URI, and each
 * named host has {@code virtunit.host.<name>.uri}, {@code .ssh}, {@code .identity}, {@code .knownHosts} and
 * {@code .maxGuests}. What a host does not set is taken from the settings of the one host ({@code virtunit.host.*})
 * and {@code virtunit.hosts.maxGuests}.
 */
final class PoolSettings {

    private PoolSettings() {
    }

    /**
     * The hosts {@code virtunit.hosts} lists, in its order; empty when it is not set (a lab of one host).
     *
     * @param lookup   a setting's value and where it came from, by key
     * @param fallback the login of the one-host settings, for what a pool host does not set
     * @throws InvalidDeclarationException naming the setting, the host and the remedy
     */
    static List<PoolHost> resolve(Function<String, Optional<String[]>> lookup, HostLogin fallback) {
        Optional<String[]> listed = lookup.apply("virtunit.hosts");
        if (listed.isEmpty()) {
            return List.of();
        }
        String source = listed.get()[1];
        int defaultLimit = lookup.apply("virtunit.hosts.maxGuests").map(PoolSettings::positive)
                .orElse(PoolHost.NO_LIMIT);
        List<PoolHost> hosts = new ArrayList<>();
        Set<String> names = new LinkedHashSet<>();
        for (String entry : listed.get()[0].split(",")) {
            String item = entry.strip();
            if (item.isEmpty()) {
                throw new InvalidDeclarationException(source + " is '" + listed.get()[0] + "', which has an empty "
                        + "entry; allowed: host names or libvirt URIs separated by commas, as in local,kvm1");
            }
            PoolHost host = item.contains("://") ? byUri(item, fallback, defaultLimit)
                    : byName(item, lookup, fallback, defaultLimit, source);
            if (!names.add(host.name())) {
                throw new InvalidDeclarationException(source + " lists the host " + host.name() + " twice; list "
                        + "each host once (a URI entry is named by its host, 'local' for this machine)");
            }
            hosts.add(host);
        }
        return List.copyOf(hosts);
    }

    /** An entry that is a URI: named by its host, {@code local} for this machine; the one-host login settings. */
    private static PoolHost byUri(String uri, HostLogin fallback, int limit) {
        String host;
        try {
            host = new URI(uri).getHost();
        } catch (URISyntaxException e) {
            throw new InvalidDeclarationException("virtunit.hosts has the entry '" + uri + "', which is no URI ("
                    + e.getReason() + "); give a libvirt URI such as qemu+ssh://root@kvm1/system, or a host name");
        }
        boolean here = host == null || host.isEmpty() || host.equalsIgnoreCase("localhost") || host.equals("127.0.0.1");
        String name = here ? PoolHost.LOCAL : host.toLowerCase(Locale.ROOT);
        if (!PoolHost.NAME.matcher(name).matches()) {
            throw new InvalidDeclarationException("virtunit.hosts has the entry '" + uri + "', whose host '" + host
                    + "' cannot be a pool host's name: list it by a name and set virtunit.host.<name>.uri");
        }
        // The one host's ssh login is not this host's: a qemu+ssh URI carries its own.
        return new PoolHost(name, uri, new HostLogin(Optional.empty(), fallback.identity(), fallback.knownHosts()), limit);
    }

    private static PoolHost byName(String name, Function<String, Optional<String[]>> lookup, HostLogin fallback,
                                   int defaultLimit, String source) {
        if (!PoolHost.NAME.matcher(name).matches()) {
            throw new InvalidDeclarationException(source + " has the entry '" + name + "', which is neither a libvirt "
                    + "URI nor a host name (letters, digits, '.', '_', '-'): list hosts as in local,kvm1");
        }
        String key = "virtunit.host." + name + ".";
        String uri = lookup.apply(key + "uri").map(found -> found[0])
                .or(() -> name.equals(PoolHost.LOCAL) ? Optional.of("qemu:///system") : Optional.empty())
                .orElseThrow(() -> new InvalidDeclarationException(source + " lists the host " + name + ", and "
                        + key + "uri is not set: set it to the host's libvirt URI, e.g. " + key
                        + "uri=qemu+ssh://root@" + name + "/system"));
        Optional<String> ssh = lookup.apply(key + "ssh").map(found -> {
            if (!HostLogin.validLogin(found[0])) {
                throw new InvalidDeclarationException(found[1] + " is '" + found[0] + "'; allowed: "
                        + HostLogin.LOGIN_FORMS);
            }
            return found[0];
        });
        Optional<Path> identity = lookup.apply(key + "identity").map(found -> Path.of(found[0]))
                .or(fallback::identity);
        Path knownHosts = lookup.apply(key + "knownHosts").map(found -> Path.of(found[0]))
                .orElse(fallback.knownHosts());
        int limit = lookup.apply(key + "maxGuests").map(PoolSettings::positive).orElse(defaultLimit);
        return new PoolHost(name, uri, new HostLogin(ssh, identity, knownHosts), limit);
    }

    private static int positive(String[] found) {
        try {
            int value = Integer.parseInt(found[0]);
            if (value >= 1) {
                return value;
            }
        } catch (NumberFormatException ignored) {
            // reported below with what is allowed
        }
        throw new InvalidDeclarationException(found[1] + " is '" + found[0] + "'; allowed: a whole number of 1 or "
                + "more");
    }
}
