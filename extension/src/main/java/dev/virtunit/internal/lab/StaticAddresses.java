package dev.virtunit.internal.lab;

import dev.virtunit.InvalidDeclarationException;
import dev.virtunit.VirtunitException;
import dev.virtunit.Cidr;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The static addresses of one segment (bridge, libvirt network, default network): hands out host parts from
 * {@code first} to {@code last} in CIDR notation, and reads declared addresses where {@code .50} means host 50 of
 * the subnet.
 */
final class StaticAddresses {

    private final String segment;
    private final Cidr subnet;
    private final int last;
    private final String whenExhausted;
    private final AtomicInteger next;

    StaticAddresses(String segment, Cidr subnet, int first, int last, String whenExhausted) {
        this.segment = segment;
        this.subnet = subnet.network();
        this.last = last;
        this.whenExhausted = whenExhausted;
        this.next = new AtomicInteger(first);
    }

    /** The next free address, e.g. {@code 192.168.77.10/24}. */
    String next() {
        int host = next.getAndIncrement();
        if (host > last) {
            throw new VirtunitException(segment + " has no static address left in " + subnet + whenExhausted);
        }
        return Cidr.format(subnet.address() + host) + "/" + subnet.prefixLength();
    }

    /** A declared address, {@code .50} or {@code .50/24} meaning host 50 of the subnet; a full one stays as it is. */
    String resolve(String declared) {
        try {
            return Cidr.resolve(declared, subnet).toString();
        } catch (IllegalArgumentException e) {
            throw new InvalidDeclarationException(segment + ": " + e.getMessage());
        }
    }

    /** {@code .50} means host 50 of {@code subnet}; a full address stays as it is. */
    static String host(String address, Cidr subnet) {
        return Cidr.isRelativeAddress(address) ? Cidr.format(Cidr.resolveAddress(address, subnet)) : address;
    }
}
