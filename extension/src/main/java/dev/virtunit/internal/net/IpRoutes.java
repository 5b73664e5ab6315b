package dev.virtunit.internal.net;

import dev.virtunit.Cidr;
import dev.virtunit.internal.host.HostCommands;

import java.util.List;

/**
 * IPv4 routes through {@code ip route}: the host's, read to choose subnets nothing uses (parsed by {@link Routes}),
 * and those of a network namespace, where a stand-in guest or upstream host gets its default route.
 *
 * @since 0.2
 */
public final class IpRoutes {

    private final NetCommands commands;

    public IpRoutes(HostCommands host) {
        this.commands = new NetCommands(host);
    }

    /** The host's IPv4 routes in every table. */
    public Routes routes() {
        return Routes.parse(commands.ip("list routes", "-4", "route", "show", "table", "all").stdout());
    }

    /** The host's routes, more specific than a default route, that share an address with {@code subnet}. */
    public List<String> overlapping(Cidr subnet) {
        return routes().overlapping(subnet);
    }

    /**
     * How this host sends to {@code address}: the device and the source address of its route there ({@code ip -o
     * route get}, which asks the routing table and sends nothing). The local end and the underlay of a tunnel toward
     * another host.
     *
     * @throws dev.virtunit.VirtunitException when no route leads there (the kernel says "Network is unreachable"),
     *                                        or the route has no device or no source address
     * @since 0.4
     */
    public UnderlayRoute routeTo(String address) {
        if (!Cidr.isAddress(address)) {
            throw new IllegalArgumentException("route to '" + address + "': expected an IPv4 address");
        }
        String line = commands.ip("find the route to " + address, "-o", "route", "get", address).stdout().strip();
        return UnderlayRoute.parse(address, line);
    }

    /** The IPv4 routes inside {@code namespace}. */
    public Routes routesIn(String namespace) {
        NetworkNames.namespaceName(namespace);
        return Routes.parse(commands.ip("list routes in namespace " + namespace,
                "-n", namespace, "-4", "route", "show", "table", "all").stdout());
    }

    /** Adds the default route via {@code gateway} (an address) inside {@code namespace}. */
    public void addDefaultRouteIn(String namespace, String gateway) {
        NetworkNames.namespaceName(namespace);
        Cidr.parseAddress(gateway);
        commands.ip("add default route via " + gateway + " in namespace " + namespace,
                "-n", namespace, "route", "add", "default", "via", gateway);
    }

    /** Adds a route to {@code subnet} via {@code gateway} inside {@code namespace}. */
    public void addRouteIn(String namespace, String subnet, String gateway) {
        NetworkNames.namespaceName(namespace);
        Cidr destination = Cidr.parse(subnet);
        Cidr.parseAddress(gateway);
        commands.ip("add route to " + subnet + " via " + gateway + " in namespace " + namespace,
                "-n", namespace, "route", "add", destination.network().toString(), "via", gateway);
    }
}
