package dev.virtunit.examples;

import dev.virtunit.Guest;
import dev.virtunit.observe.GuestState;
import dev.virtunit.junit.LibvirtGuest;
import dev.virtunit.junit.LibvirtTest;
import org.junit.jupiter.api.Test;

import static dev.virtunit.assertions.VirtunitAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The seed's tour of virsh, each command a method of {@link Guest}:
 * {@code dominfo}, {@code domstats}, {@code domiflist}, {@code domblklist}, {@code domifstat}, {@code domblkstat},
 * {@code dumpxml}, {@code suspend}/{@code resume}, {@code shutdown}/{@code destroy}, {@code start}.
 */
@LibvirtTest
class VirshObservationsExample {

    @LibvirtGuest(image = "${virtunit.testImage}")
    Guest guest;

    @Test
    void whatVirshShows() {
        assertThat(guest.info().state()).isEqualTo(GuestState.RUNNING);            // virsh dominfo
        assertThat(guest.stats().cpuTime()).isPositive();                          // virsh domstats
        String vnet = guest.interfaces().get(0).device();                          // virsh domiflist
        assertThat(guest.disks()).isNotEmpty();                                    // virsh domblklist
        assertThat(guest.interfaceCounters(vnet).rxPackets()).isPositive();        // virsh domifstat <vnet>
        assertThat(guest.blockCounters("vda").readBytes()).isPositive();           // virsh domblkstat vda
        assertThat(guest.xml()).contains("<name>" + guest.name() + "</name>");     // virsh dumpxml
    }

    @Test
    void suspendResumeShutdownDestroyStart() {
        guest.suspend();                                                          // virsh suspend
        assertThat(guest.state()).isEqualTo(GuestState.PAUSED);
        guest.resume();                                                           // virsh resume
        assertThat(guest.ssh().exec("true")).succeeded();

        guest.shutdown();                                                         // virsh shutdown (graceful)
        assertThat(guest.state()).isEqualTo(GuestState.SHUT_OFF);
        guest.start();                                                            // virsh start, waits for SSH
        guest.destroy();                                                          // virsh destroy (pull the plug)
        assertThat(guest.state()).isEqualTo(GuestState.SHUT_OFF);
    }
}
