package dev.virtunit.internal.lab;

import dev.virtunit.InvalidDeclarationException;
import dev.virtunit.VirtunitException;
import dev.virtunit.Cidr;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The static addresses of one segment (bridge, libvirt network, default network): hands out host parts from
 * {@code first} to {@code last} in CIDR notation, and reads declared addresses where {@code .50} means host 50 of
 * the subnet. It knows which guest holds each address, so two guests of the lab never share one: a declared
 * address another guest holds is refused before that guest's domain exists, and handed-out ones skip held ones.
 */
final class StaticAddresses {

    private final String segment;
    private final Cidr subnet;
    private final int last;
    private final String whenExhausted;
    private int next;
    /** Address → the guest that holds it. */
    private final Map<Integer, String> holders = new HashMap<>();
    /** Every address a guest declared: never handed out, so a per-test guest finds its address free each time. */
    private final Set<Integer> declared = new HashSet<>();

    StaticAddresses(String segment, Cidr subnet, int first, int last, String whenExhausted) {
        this.segment = segment;
        this.subnet = subnet.network();
        this.last = last;
        this.whenExhausted = whenExhausted;
        this.next = first;
    }

    /** The next free address, e.g. {@code 192.168.77.10/24}; never handed out again. */
    synchronized String next() {
        int host;
        do {
            host = next++;
            if (host > last) {
                throw new VirtunitException(segment + " has no static address left in " + subnet + whenExhausted);
            }
        } while (holders.containsKey(subnet.address() + host) || declared.contains(subnet.address() + host));
        holders.put(subnet.address() + host, "a guest that declared no address (virtunit hands out ." + host
                + " and upward)");
        return Cidr.format(subnet.address() + host) + "/" + subnet.prefixLength();
    }

    /**
     * A declared address ({@link #resolve}) for {@code guest}, refused when another guest of the lab holds it; the
     * address is free again once {@code guestTeardown} runs (the guest is removed, or its provisioning failed).
     */
    synchronized String claim(String address, String guest, Teardown guestTeardown) {
        return claimResolved(address, resolve(address), guest, guestTeardown);
    }

    private String claimResolved(String declared, String cidr, String guest, Teardown guestTeardown) {
        int address = Cidr.parse(cidr).address();
        String holder = holders.get(address);
        if (holder != null) {
            throw new InvalidDeclarationException("address '" + declared + "' of guest " + guest + " on " + segment
                    + " is already held by " + holder + "; two guests on one segment cannot share an address: give "
                    + "this one another, or leave its address out and virtunit picks a free one");
        }
        guestTeardown.register("address " + Cidr.format(address) + " on " + segment, () -> release(address, guest));
        holders.put(address, "guest " + guest);
        this.declared.add(address);
        return cidr;
    }

    private synchronized void release(int address, String guest) {
        holders.remove(address, "guest " + guest);
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
