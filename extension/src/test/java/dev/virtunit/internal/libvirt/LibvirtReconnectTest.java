package dev.virtunit.internal.libvirt;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.libvirt.LibvirtException;
import org.libvirt.event.ConnectionCloseReason;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A connection libvirt lost (libvirtd restarted) on the test driver: the loss is reported as libvirt's close
 * listener would ({@link LibvirtCalls#connectionLost}), and every new connection is counted, so the tests see when
 * virtunit reconnects, which calls it makes again and what it says when it cannot.
 */
class LibvirtReconnectTest {

    private static final String URI = "test:///default";

    private final AtomicInteger opened = new AtomicInteger();
    private LibvirtCalls calls;

    @AfterEach
    void closeConnection() {
        if (calls != null) {
            calls.close();
        }
    }

    private LibvirtCalls open(LibvirtCalls.Opener opener, Duration reconnectTimeout) {
        calls = LibvirtCalls.open(URI, uri -> {
            opened.incrementAndGet();
            return opener.open(uri);
        }, reconnectTimeout);
        return calls;
    }

    @Test
    void aLostConnectionIsReplacedBeforeTheNextCall() {
        open(NativeConnect::new, Duration.ofSeconds(5));

        calls.connectionLost(ConnectionCloseReason.EOF);
        int networks = calls.call("list networks", c -> c.listNetworks().length);

        assertThat(networks).isPositive();
        assertThat(opened).hasValue(2);
        calls.call("list networks", c -> c.listNetworks().length);
        assertThat(opened).as("no further connection while this one lives").hasValue(2);
    }

    @Test
    void aRepeatableCallDuringWhichTheConnectionBrokeIsMadeAgainOnANewConnection() {
        open(NativeConnect::new, Duration.ofSeconds(5));
        AtomicInteger attempts = new AtomicInteger();

        String answer = calls.repeatable("look up network 'vu-unit-none'", c -> {
            if (attempts.incrementAndGet() == 1) {
                calls.connectionLost(ConnectionCloseReason.EOF);
                return c.networkLookupByName("vu-unit-none").getName();
            }
            return "answered on the new connection";
        });

        assertThat(answer).isEqualTo("answered on the new connection");
        assertThat(attempts).hasValue(2);
        assertThat(opened).hasValue(2);
    }

    @Test
    void aCallThatChangesSomethingAndBrokeSaysItsOutcomeIsUnknownAndLaterCallsWork() {
        open(NativeConnect::new, Duration.ofSeconds(5));

        assertThatThrownBy(() -> calls.call("start domain 'vu-unit-web'", c -> {
            calls.connectionLost(ConnectionCloseReason.EOF);
            return c.domainLookupByName("vu-unit-web");
        })).isInstanceOf(LibvirtOperationException.class)
                .hasMessageStartingWith("cannot start domain 'vu-unit-web': the connection to test:///default broke "
                        + "during the call (libvirtd closed it: it restarted or stopped); virtunit opened a new one, "
                        + "so later calls and teardown go on, but whether this call took effect is unknown: ");

        assertThat(opened).hasValue(2);
        int running = calls.call("list domains", c -> c.listDomains().length);
        assertThat(running).isPositive();
    }

    @Test
    void whenLibvirtAcceptsNoNewConnectionTheErrorSaysWhyAndWhatToCheckAndTheNextCallDoesNotWaitAgain() {
        open(uri -> {
            if (opened.get() == 1) {
                return new NativeConnect(uri);
            }
            // libvirtd does not come back: as a socket nobody listens on, a connection that cannot be opened.
            return new NativeConnect("test:///virtunit/no/such/definition.xml");
        }, Duration.ofSeconds(1));
        calls.connectionLost(ConnectionCloseReason.KEEPALIVE);

        assertThatThrownBy(() -> calls.repeatable("destroy domain 'vu-unit-web'", c -> null))
                .isInstanceOf(LibvirtOperationException.class)
                .hasMessageStartingWith("cannot destroy domain 'vu-unit-web': the connection to test:///default was "
                        + "lost (libvirtd stopped answering keepalive probes) and libvirt accepted no new one within 1 s")
                .hasMessageContaining("is libvirtd running? scripts/setup-host starts it");
        int afterFirstWait = opened.get();

        assertThatThrownBy(() -> calls.repeatable("undefine domain 'vu-unit-web'", c -> null))
                .hasMessageStartingWith("cannot undefine domain 'vu-unit-web': the connection to test:///default was lost");
        assertThat(opened.get() - afterFirstWait).as("tries of the second call").isBetween(1, 2);
    }

    @Test
    void aConnectionClosedByVirtunitIsNotOpenedAgain() {
        open(NativeConnect::new, Duration.ofSeconds(5));
        calls.close();

        assertThatThrownBy(() -> calls.call("list domains", c -> c.listDomains().length))
                .hasMessage("cannot list domains: the connection to test:///default is closed");
        assertThat(opened).hasValue(1);
    }

    @Test
    void aLostConnectionIsClosedWhenReplaced() throws LibvirtException {
        NativeConnect[] first = new NativeConnect[1];
        open(uri -> {
            NativeConnect connection = new NativeConnect(uri);
            if (first[0] == null) {
                first[0] = connection;
            }
            return connection;
        }, Duration.ofSeconds(5));

        calls.connectionLost(ConnectionCloseReason.EOF);
        calls.call("list networks", c -> c.listNetworks().length);

        // A closed Connect has let go of its native handle.
        assertThat(first[0].isConnected()).isFalse();
    }
}
