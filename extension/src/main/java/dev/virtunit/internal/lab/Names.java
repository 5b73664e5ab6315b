package dev.virtunit.internal.lab;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * How virtunit names what it creates: prefix {@code vu}, then the run id, so that every object says which run owns
 * it (for the sweep) and never collides with another run's or with anything not ours.
 */
public final class Names {

    private static final SecureRandom RANDOM = new SecureRandom();

    private Names() {
    }

    /** Six hex digits: unique enough per machine, short enough for Linux's 15-character interface names. */
    public static String newRunId() {
        return HexFormat.of().formatHex(randomBytes(3));
    }

    /**
     * A new run id that {@code taken} refuses not: one in 16 million may repeat the id of a run whose record is still
     * there (a live JVM beside this one, or a run kept for inspection), and two runs of one id would share every name
     * and sweep each other's objects; so a taken id is drawn again.
     */
    public static String newRunId(Predicate<String> taken) {
        String run = newRunId();
        while (taken.test(run)) {
            run = newRunId();
        }
        return run;
    }

    /** The prefix every libvirt object of a run starts with. */
    public static String runMarker(String run) {
        return "vu-" + run + "-";
    }

    /** A domain name for a guest labelled {@code label} (a field name, say): {@code vu-1a2b3c-router}. */
    public static String domain(String run, String label) {
        String clean = label.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]+", "-").replaceAll("(^-+|-+$)", "");
        if (clean.isEmpty()) {
            clean = "guest";
        }
        return runMarker(run) + (clean.length() > 40 ? clean.substring(0, 40) : clean);
    }

    /** The run's storage pool, holding its guests' overlays, seeds and console logs: {@code vu-1a2b3c-pool}. */
    public static String pool(String run) {
        return runMarker(run) + "pool";
    }

    /** The libvirt network guests join when they declare none: {@code vu-1a2b3c-net}. */
    public static String defaultNetwork(String run) {
        return runMarker(run) + "net";
    }

    /** The bridge device of the default network. */
    public static String defaultNetworkBridge(String run) {
        return linuxInterface(run, "n0");
    }

    /** The {@code n}th libvirt network a test declares: {@code vu-1a2b3c-lnet0}. */
    public static String libvirtNetwork(String run, int n) {
        return runMarker(run) + "lnet" + n;
    }

    /** The bridge device of the {@code n}th libvirt network a test declares. */
    public static String libvirtNetworkBridge(String run, int n) {
        return linuxInterface(run, "l" + n);
    }

    /** The device of the {@code n}th Open vSwitch or Linux bridge a test declares. */
    public static String bridgeDevice(String run, int n) {
        return linuxInterface(run, "b" + n);
    }

    /**
     * The {@code k}th VXLAN tunnel link of bridge {@code bridge} ({@link #bridgeDevice}): {@code vu1a2b3cb0t0}. A
     * bridge name is 10 characters up to its 10th bridge, so 5 are left for {@code t} and the tunnel's number.
     */
    public static String tunnelLink(String bridge, int k) {
        String name = bridge + "t" + k;
        if (k < 0 || name.length() > 15) {
            throw new IllegalArgumentException("tunnel link name '" + name + "' of bridge " + bridge
                    + " is longer than Linux's 15 characters (or its number is negative)");
        }
        return name;
    }

    /** The nftables table holding the NAT of the {@code n}th bridge (nftables names take no '-'). */
    public static String natTable(String run, int n) {
        return "vu_" + run + "_b" + n;
    }

    /** The nftables {@code netdev} table of a loss impairment on host device {@code device} (a guest's tap). */
    public static String lossTable(String run, String device) {
        return "vu_" + run + "_l" + device.replaceAll("[^A-Za-z0-9_]", "_");
    }

    /** The network namespace (and its veth's host end) of the {@code n}th upstream host. */
    public static String upstreamNamespace(String run, int n) {
        return linuxInterface(run, "u" + n);
    }

    /** A Linux interface (or namespace) name within 15 characters: {@code vu} + run + a short suffix. */
    private static String linuxInterface(String run, String suffix) {
        String name = "vu" + run + suffix;
        if (name.length() > 15) {
            throw new IllegalArgumentException("interface name '" + name + "' is longer than Linux's 15 characters");
        }
        return name;
    }

    /** A random MAC in QEMU's 52:54:00 range. */
    public static String newMac() {
        byte[] bytes = randomBytes(3);
        return String.format("52:54:00:%02x:%02x:%02x", bytes[0] & 0xff, bytes[1] & 0xff, bytes[2] & 0xff);
    }

    private static byte[] randomBytes(int count) {
        byte[] bytes = new byte[count];
        RANDOM.nextBytes(bytes);
        return bytes;
    }
}
