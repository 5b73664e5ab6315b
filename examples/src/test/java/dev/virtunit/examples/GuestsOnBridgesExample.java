package dev.virtunit.examples;

import dev.virtunit.Bridge;
import dev.virtunit.Guest;
import dev.virtunit.junit.LibvirtGuest;
import dev.virtunit.junit.LibvirtTest;
import dev.virtunit.junit.OvsBridge;
import org.junit.jupiter.api.Test;

import static dev.virtunit.assertions.VirtunitAssertions.assertThat;

/**
 * The seed's goal, "a number of guests, on a bridge so they could talk to one another": two guests on one bridge
 * reach each other; a guest on a second bridge, with no routing between the bridges, reaches neither.
 */
@LibvirtTest
class GuestsOnBridgesExample {

    @OvsBridge(gateway = Bridge.Gateway.NONE)
    static Bridge left;

    @OvsBridge(gateway = Bridge.Gateway.NONE)
    static Bridge right;

    @LibvirtGuest(image = "${virtunit.testImage}", network = "left")
    static Guest a;

    @LibvirtGuest(image = "${virtunit.testImage}", network = "left")
    static Guest b;

    @LibvirtGuest(image = "${virtunit.testImage}", network = "right")
    static Guest c;

    @Test
    void guestsOnOneBridgeReachEachOther() {
        assertThat(a.ping(b.address())).isReachable().hasNoLoss();
        assertThat(b).canReach(a);
    }

    @Test
    void guestsOnSeparateBridgesDoNot() {
        assertThat(a).cannotReach(c);
        assertThat(c).cannotReach(b);
    }
}
