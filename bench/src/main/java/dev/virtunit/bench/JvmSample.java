package dev.virtunit.bench;

/**
 * What the JVM running virtunit cost while a topology was up: its own resident memory and the heap in use.
 *
 * @param rssKib      the JVM process's VmRSS in KiB
 * @param heapUsedKib the heap in use in KiB (no GC forced first: what the JVM holds while the guests run)
 * @since 0.3
 */
public record JvmSample(long rssKib, long heapUsedKib) {
}
