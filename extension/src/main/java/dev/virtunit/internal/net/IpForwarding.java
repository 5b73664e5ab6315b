package dev.virtunit.internal.net;

import dev.virtunit.VirtunitException;
import dev.virtunit.internal.host.HostCommands;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Keeps {@code net.ipv4.ip_forward} on while anything in this JVM routes between a guest bridge and an uplink, and
 * puts back what it found when the last holder lets go. NAT without forwarding silently drops every packet, and a
 * test machine's forwarding setting is the machine owner's: virtunit turns it on only as long as it needs it.
 *
 * <p>The count is per JVM. Another process (a second test JVM, libvirt's own NAT networks) may switch forwarding
 * too; this class does not coordinate with them, it only never switches it off while one of its holders is alive
 * and restores the value it saw when the first holder came. The setting is read and written through {@link Sysctls},
 * so a fake {@link HostCommands} stands in for the host in unit tests.
 *
 * @since 0.1
 */
public final class IpForwarding {

    private static final String KEY = "net.ipv4.ip_forward";

    private static final IpForwarding SYSTEM = new IpForwarding(new Sysctls(HostCommands.local()));

    private final Sysctls sysctls;
    private int holders;
    private String previous;

    /**
     * Forwarding of the host {@code sysctls} runs on, counted by this instance alone: for this JVM's host use
     * {@link #system()}, so that every holder shares one count.
     */
    public IpForwarding(Sysctls sysctls) {
        this.sysctls = Objects.requireNonNull(sysctls, "sysctls");
    }

    /** The host's {@code net.ipv4.ip_forward}, shared by everything in this JVM. */
    public static IpForwarding system() {
        return SYSTEM;
    }

    /**
     * Turns forwarding on (if it is off) and returns a lease that must be closed when forwarding is no longer needed.
     * Closing a lease twice counts once.
     */
    public synchronized Lease acquire() {
        if (holders == 0) {
            String current = read();
            if (!current.equals("1")) {
                write("1");
            }
            previous = current;
        }
        holders++;
        return new Lease();
    }

    /** How many leases are open. */
    public synchronized int holders() {
        return holders;
    }

    private synchronized void release() {
        holders--;
        if (holders == 0 && !previous.equals("1")) {
            write(previous);
        }
    }

    /** The current value, {@code 0} or {@code 1}. */
    public String read() {
        return sysctls.read(KEY);
    }

    private void write(String value) {
        try {
            sysctls.write(KEY, value);
        } catch (VirtunitException e) {
            throw new VirtunitException("cannot set IP forwarding to " + value
                    + " (virtunit must run as root to route between guests and an uplink): " + e.getMessage(), e);
        }
    }

    /** One holder's claim on forwarding. */
    public final class Lease implements AutoCloseable {
        private final AtomicBoolean closed = new AtomicBoolean();

        private Lease() {
        }

        /** Lets go; the last lease to close restores the value found by the first. */
        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                release();
            }
        }
    }
}
