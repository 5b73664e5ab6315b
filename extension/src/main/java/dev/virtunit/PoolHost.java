package dev.virtunit;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One libvirt host of a lab that spreads its guests over several ({@code virtunit.hosts}): its name (what a guest's
 * {@code host} names), its libvirt URI, the SSH login virtunit uses for its programs and files when it is remote, and
 * how many of the lab's guests may run on it at once.
 *
 * @param name       the host's name in the pool, e.g. {@code local} or {@code kvm1}
 * @param libvirtUri its libvirt URI, e.g. {@code qemu:///system} or {@code qemu+ssh://root@kvm1/system}
 * @param login      the SSH login of a remote host ({@code virtunit.host.<name>.ssh}, {@code .identity},
 *                   {@code .knownHosts}); unused for this machine
 * @param maxGuests  at most this many of the lab's guests on the host at once ({@code virtunit.host.<name>.maxGuests},
 *                   else {@code virtunit.hosts.maxGuests}); {@link #NO_LIMIT} for no limit but its memory
 * @see LabConfig#hosts()
 * @since 0.4
 */
public record PoolHost(String name, String libvirtUri, HostLogin login, int maxGuests) {

    /** No limit on the number of guests: only the host's free memory limits it. */
    public static final int NO_LIMIT = Integer.MAX_VALUE;

    /** The name {@code local} stands for this machine, {@code qemu:///system}, unless its URI is set. */
    public static final String LOCAL = "local";

    /** Letters, digits, '.', '_' and '-', starting with a letter or digit: usable in a property's key. */
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

    /**
     * Checks the name's form and the limit.
     *
     * @param name       the host's name in the pool
     * @param libvirtUri its libvirt URI
     * @param login      the SSH login of a remote host
     * @param maxGuests  the most guests of the lab at once, 1 or more
     * @throws InvalidDeclarationException naming the host and what is allowed
     */
    public PoolHost {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(libvirtUri, "libvirtUri");
        Objects.requireNonNull(login, "login");
        if (!NAME.matcher(name).matches()) {
            throw new InvalidDeclarationException("pool host name '" + name + "' is not allowed: use letters, digits, "
                    + "'.', '_' and '-', starting with a letter or digit (at most 63), as in kvm1");
        }
        if (maxGuests < 1) {
            throw new InvalidDeclarationException("pool host " + name + ": maxGuests is " + maxGuests
                    + "; allowed: 1 or more");
        }
    }

    /**
     * This machine's libvirt as a pool host named {@link #LOCAL}, without a limit.
     *
     * @return the host
     */
    public static PoolHost local() {
        return new PoolHost(LOCAL, "qemu:///system", HostLogin.DEFAULT, NO_LIMIT);
    }

    /**
     * With at most {@code value} of the lab's guests at once.
     *
     * @param value 1 or more
     * @return the new host; this one is unchanged
     */
    public PoolHost withMaxGuests(int value) {
        return new PoolHost(name, libvirtUri, login, value);
    }

    /** {@return the limit as a person reads it: a number, or "no limit"} */
    public String limitText() {
        return maxGuests == NO_LIMIT ? "no limit" : "at most " + maxGuests + " guests";
    }
}
