package dev.virtunit.internal.lab;

import dev.virtunit.Capture;
import dev.virtunit.GuestLink;
import dev.virtunit.Impairment;
import dev.virtunit.LinkConditions;
import dev.virtunit.VirtunitException;
import dev.virtunit.internal.host.HostCommands;
import dev.virtunit.internal.net.TrafficControl;
import dev.virtunit.observe.InterfaceInfo;

import java.time.Duration;
import java.util.List;

/**
 * A guest NIC's port on the host (its tap), for {@link GuestLink}: what it changes is undone by the guest's teardown
 * if the test does not close it. The tap is an ordinary kernel device also on an Open vSwitch userspace bridge
 * (ovs-vswitchd reads and writes it as a socket), so {@code tc} and {@code ip link} act on it as on any other.
 */
final class LabGuestLink implements GuestLink {

    private final String guest;
    private final int nic;
    private final String device;
    private final HostCommands host;
    private final Teardown teardown;
    private final List<LabCapture> captures;
    private final String lossTable;

    private LabGuestLink(String guest, int nic, String device, HostCommands host, Teardown teardown,
                         List<LabCapture> captures, String lossTable) {
        this.guest = guest;
        this.nic = nic;
        this.device = device;
        this.host = host;
        this.teardown = teardown;
        this.captures = captures;
        this.lossTable = lossTable;
    }

    /** NIC {@code nic} of {@code guest} of run {@code run}, whose NICs are {@code interfaces} in declaration order. */
    static LabGuestLink of(String run, String guest, List<InterfaceInfo> interfaces, int nic, HostCommands host,
                           Teardown teardown, List<LabCapture> captures) {
        if (nic < 0 || nic >= interfaces.size()) {
            throw new VirtunitException("guest " + guest + " has no NIC " + nic + ": it has " + interfaces.size()
                    + " (numbered from 0 in declaration order)");
        }
        String device = interfaces.get(nic).device();
        if (device.isEmpty()) {
            throw new VirtunitException("NIC " + nic + " of guest " + guest + " has no port on the host: the guest is "
                    + "not running (start it first)");
        }
        return new LabGuestLink(guest, nic, device, host, teardown, captures, Names.lossTable(run, device));
    }

    @Override
    public String device() {
        return device;
    }

    @Override
    public Impairment down() {
        TrafficControl tc = new TrafficControl(host);
        return LabImpairment.apply(teardown, "link " + describe() + " down", () -> tc.setLink(device, false),
                () -> tc.setLink(device, true));
    }

    @Override
    public void up() {
        new TrafficControl(host).setLink(device, true);
    }

    @Override
    public Impairment impair(LinkConditions conditions) {
        TrafficControl tc = new TrafficControl(host);
        return LabImpairment.apply(teardown, conditions + " on " + describe(), () -> tc.impair(device, conditions, lossTable),
                () -> tc.clear(device, lossTable));
    }

    @Override
    public Capture capture(Duration limit) {
        return LabCapture.start(host, device, "guest " + guest, limit, teardown, captures);
    }

    private String describe() {
        return device + " (guest " + guest + ", NIC " + nic + ")";
    }

    @Override
    public String toString() {
        return "GuestLink[" + describe() + "]";
    }
}
