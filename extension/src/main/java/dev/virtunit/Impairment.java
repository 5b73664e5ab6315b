package dev.virtunit;

/**
 * A change to the network a test made on purpose (a link down, delay or loss, a partition), undone by
 * {@link #close()}: use it in try-with-resources. Whatever a test leaves open is undone when the guest or bridge it
 * was made on is removed, also after a failure.
 *
 * @since 0.2
 */
public interface Impairment extends AutoCloseable {

    /** {@return what it does, for messages: {@code netem delay 200ms loss 30% on vnet3 (guest vu-1a2b3c-client, NIC 0)}} */
    String description();

    /** Undoes the change; idempotent. */
    @Override
    void close();
}
