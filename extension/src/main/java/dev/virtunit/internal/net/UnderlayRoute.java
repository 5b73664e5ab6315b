package dev.virtunit.internal.net;

import dev.virtunit.VirtunitException;

import java.util.Arrays;
import java.util.List;

/**
 * Where a host's route toward another address leaves: the {@code device} and the {@code source} address it sends
 * from ({@link IpRoutes#routeTo}). For a tunnel toward another host: the underlay and the tunnel's local end.
 *
 * @param device the outgoing device, {@code lo} for an address of the host itself
 * @param source the address the host sends from on that route
 * @since 0.4
 */
public record UnderlayRoute(String device, String source) {

    /** {@code ip -o route get} output: {@code 172.31.250.2 dev vhbr0 src 172.31.250.1 uid 0 \    cache}. */
    static UnderlayRoute parse(String address, String line) {
        List<String> words = Arrays.asList(line.split("\\s+"));
        int dev = words.indexOf("dev");
        int src = words.indexOf("src");
        if (dev < 0 || src < 0 || dev + 1 >= words.size() || src + 1 >= words.size()) {
            throw new VirtunitException("cannot tell the route to " + address + " from 'ip -o route get': expected a "
                    + "device and a source address in '" + line + "'");
        }
        return new UnderlayRoute(words.get(dev + 1), words.get(src + 1));
    }
}
