package dev.virtunit.internal.lab;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** What the domain definition asks of the firmware. */
class DomainPlanTest {

    @Test
    void theFirmwareWritesToTheLoggedSerialConsoleAndStopsWhenNothingBoots() {
        String xml = new DomainPlan("vu-1-guest", "qemu", 256, 1, "1", 42,
                List.of(new DomainPlan.Disk(Optional.of(Path.of("/p/disk.qcow2")), "qcow2", false, "vda", Optional.of(1))),
                List.of(DomainPlan.Nic.onNetwork("52:54:00:00:00:01", "net")), Path.of("/p/console.log"), false).toXml()
                .replaceAll(">\\s+<", "><");

        assertThat(xml).contains("<os><type arch='x86_64' machine='pc'>hvm</type><bios useserial='yes' rebootTimeout='-1'/></os>")
                .contains("<serial type='pty'><log file='/p/console.log' append='on'/><target port='0'/></serial>");
    }

    @Test
    void aRestoreTemplateAndItsCopiesHaveAnIdentityPortAndAGenerationId() {
        List<DomainPlan.Disk> disks = List.of(new DomainPlan.Disk(Optional.of(Path.of("/p/disk.qcow2")), "qcow2", false, "vda", Optional.of(1)));
        List<DomainPlan.Nic> nics = List.of(DomainPlan.Nic.onNetwork("52:54:00:00:00:01", "net"));
        String copy = new DomainPlan("vu-1-guest", "qemu", 256, 1, "1", 42, disks, nics, Path.of("/p/console.log"), false,
                Optional.of(Path.of("/p/vu-1-guest.identity"))).toXml().replaceAll(">\\s+<", "><");
        String other = new DomainPlan("vu-1-guest", "qemu", 256, 1, "1", 42, disks, nics, Path.of("/p/console.log"), false)
                .toXml();

        assertThat(copy).contains("<name>vu-1-guest</name><genid/>")
                .contains("<channel type='unix'><source mode='bind' path='/p/vu-1-guest.identity'/>"
                        + "<target type='virtio' name='dev.virtunit.identity'/></channel>");
        assertThat(other).doesNotContain("genid").doesNotContain("<channel");
    }

    @Test
    void aNicOnASpanningBridgeCarriesItsMtuAndOneOfEthernetsMtuNothing() {
        List<DomainPlan.Disk> disks = List.of(new DomainPlan.Disk(Optional.of(Path.of("/p/disk.qcow2")), "qcow2", false, "vda", Optional.of(1)));
        String spanning = new DomainPlan("vu-1-guest", "qemu", 256, 1, "1", 42, disks,
                List.of(DomainPlan.Nic.onBridge("52:54:00:00:00:01", "vu1b0", true, false, 0, 1450)),
                Path.of("/p/console.log"), false).toXml().replaceAll(">\\s+<", "><");
        String ethernet = new DomainPlan("vu-1-guest", "qemu", 256, 1, "1", 42, disks,
                List.of(DomainPlan.Nic.onBridge("52:54:00:00:00:01", "vu1b0", true, false, 0, 1500)),
                Path.of("/p/console.log"), false).toXml();
        String before = new DomainPlan("vu-1-guest", "qemu", 256, 1, "1", 42, disks,
                List.of(DomainPlan.Nic.onBridge("52:54:00:00:00:01", "vu1b0", true, false, 0)),
                Path.of("/p/console.log"), false).toXml();

        assertThat(spanning).contains("<model type='virtio'/><mtu size='1450'/>");
        assertThat(ethernet).isEqualTo(before).doesNotContain("<mtu");
    }
}
