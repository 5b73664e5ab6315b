package dev.virtunit.it.net;

import dev.virtunit.internal.net.HostNetworking;
import dev.virtunit.internal.net.IpForwarding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every host-network IT shares: a fresh {@link NetLab} per test that must leave nothing behind, and, per class,
 * proof that the forwarding guard dropped nothing (no packet headed for the real uplink), that no IP forwarding
 * lease stayed open and that no {@code vunt*} object survived.
 */
abstract class NetLabTest {

    private static OptionalLong guardBefore;

    protected NetLab lab;

    @BeforeAll
    static void recordTheGuard() {
        NetLab.requireRoot();
        guardBefore = NetLab.guardDrops();
    }

    @BeforeEach
    void createLab() {
        lab = NetLab.create();
    }

    @AfterEach
    void removeLab() {
        try {
            lab.close();
        } finally {
            assertThat(lab.leftovers()).as("what lab %s left on the host", lab.id).isEmpty();
        }
    }

    @AfterAll
    static void nothingLeftAndGuardCountedNothing() {
        assertThat(IpForwarding.system().holders()).as("IP forwarding leases left open").isZero();
        assertThat(NetLab.leftoversWithPrefix(HostNetworking.local(), NetLab.SUITE_PREFIX))
                .as("vunt* objects left").isEmpty();
        assertThat(NetLab.guardDrops()).as("forwarding guard counter (before: %s)", guardBefore).isEqualTo(guardBefore);
    }
}
