package dev.virtunit.internal.net;

import dev.virtunit.Cidr;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A snapshot of the host's IPv4 routes in every table ({@code ip -4 route show table all}), read to choose test
 * subnets that nothing on the host uses yet. A subnet that is already routed would be ambiguous at best and at
 * worst (the package archive's range, say) cut the host off; see shared/HOST.md.
 *
 * @param lines the routes, one {@code ip route} line each
 * @since 0.1
 */
public record Routes(List<String> lines) {

    /** Route types {@code ip} prints before the destination. */
    private static final Set<String> TYPES = Set.of("unicast", "local", "broadcast", "multicast", "throw",
            "unreachable", "prohibit", "blackhole", "nat", "anycast");

    public Routes {
        lines = lines.stream().map(String::strip).filter(line -> !line.isEmpty()).toList();
    }

    /** Parses the output of {@code ip -4 route show table all}. */
    public static Routes parse(String ipRouteOutput) {
        return new Routes(ipRouteOutput.lines().toList());
    }

    /** The destination of one route line; {@code default} is {@code 0.0.0.0/0}, a bare address is a {@code /32}. */
    public static Optional<Cidr> destination(String line) {
        String[] tokens = line.strip().split("\\s+");
        int index = tokens.length > 1 && TYPES.contains(tokens[0]) ? 1 : 0;
        String destination = tokens[index];
        if (destination.equals("default")) {
            return Optional.of(new Cidr(0, 0));
        }
        try {
            return Optional.of(destination.contains("/") ? Cidr.parse(destination) : new Cidr(Cidr.parseAddress(destination), 32));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * The routes more specific than a default route that share an address with {@code subnet}. Default routes are
     * left out: they cover every subnet, and a connected route that is more specific is exactly what a test network
     * adds (the forwarding guard keeps test traffic off the default route's interface).
     */
    public List<String> overlapping(Cidr subnet) {
        List<String> found = new ArrayList<>();
        for (String line : lines) {
            destination(line).filter(destination -> destination.prefixLength() > 0 && destination.overlaps(subnet))
                    .ifPresent(destination -> found.add(line));
        }
        return found;
    }

    /** Whether no route more specific than a default route touches {@code subnet}. */
    public boolean isFree(Cidr subnet) {
        return overlapping(subnet).isEmpty();
    }
}
