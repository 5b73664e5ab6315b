package dev.virtunit.observe;

/**
 * The I/O counters of one guest disk, as {@code virsh domblkstat} shows them.
 *
 * @since 0.1
 */
public record BlockCounters(String device, long readRequests, long readBytes, long writeRequests, long writeBytes,
                            long errors) {
}
