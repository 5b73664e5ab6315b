package dev.virtunit;

import java.nio.file.Path;

/**
 * A packet capture ({@code tcpdump -w}) on a host interface: a bridge, a guest's port or an uplink. It runs from
 * when it is made until {@link #close()}, its time limit or its packet limit, whichever comes first, and it is
 * attached to the test's report.
 *
 * <pre>{@code
 * try (Capture capture = lan.capture(Duration.ofSeconds(10))) {
 *     guest.ping(internet.address(), 3);
 * }
 * assertThat(capture.decoded()).contains("ICMP echo request");
 * }</pre>
 *
 * @since 0.2
 */
public interface Capture extends AutoCloseable {

    /** {@return the host interface captured on} */
    String interfaceName();

    /** {@return the pcap file; stops the capture first if it still runs, so the file is complete} */
    Path pcap();

    /** {@return how many packets the pcap file holds; stops the capture first} */
    int packetCount();

    /** {@return the packets as {@code tcpdump -n -r} prints them, one line each; stops the capture first} */
    String decoded();

    /** Stops the capture (tcpdump writes its buffer and exits); idempotent. */
    @Override
    void close();
}
