package dev.virtunit.internal.lab;

import dev.virtunit.Cidr;
import dev.virtunit.GuestSpec;
import dev.virtunit.InvalidDeclarationException;
import dev.virtunit.VirtunitException;
import dev.virtunit.internal.host.CommandResult;
import dev.virtunit.internal.host.HostCommands;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Two guests of a lab never share a static address, and an address is free again once its guest is gone. */
class StaticAddressesTest {

    @TempDir
    Path stateDir;
    @TempDir
    Path images;

    private final StaticAddresses lan = new StaticAddresses("bridge vu1a2b3clan", Cidr.parse("192.168.77.0/24"), 10, 254, "");

    @Test
    void aDeclaredAddressHeldByAnotherGuestIsRefusedAndFreedWithItsGuest() {
        Teardown first = new Teardown();
        assertThat(lan.claim(".20", "vu-1a2b3c-a", first)).isEqualTo("192.168.77.20/24");

        assertThatThrownBy(() -> lan.claim("192.168.77.20/24", "vu-1a2b3c-b", new Teardown()))
                .isInstanceOf(InvalidDeclarationException.class)
                .hasMessage("address '192.168.77.20/24' of guest vu-1a2b3c-b on bridge vu1a2b3clan is already held by "
                        + "guest vu-1a2b3c-a; two guests on one segment cannot share an address: give this one another, "
                        + "or leave its address out and virtunit picks a free one");

        first.run();
        assertThat(lan.claim(".20", "vu-1a2b3c-b", new Teardown())).as("free once its guest is removed")
                .isEqualTo("192.168.77.20/24");
    }

    @Test
    void handedOutAddressesSkipDeclaredOnesAndAreNotDeclaredAgain() {
        lan.claim(".11", "vu-1a2b3c-a", new Teardown());
        assertThat(lan.next()).isEqualTo("192.168.77.10/24");
        assertThat(lan.next()).as("skips .11, held").isEqualTo("192.168.77.12/24");
        assertThatThrownBy(() -> lan.claim(".12", "vu-1a2b3c-c", new Teardown()))
                .hasMessageContaining("is already held by a guest that declared no address (virtunit hands out .12 and upward)");
    }

    @Test
    void twoGuestsWithOneStaticAddressInALabLeaveNothingOfTheSecond() {
        FakeHypervisor hypervisor = new FakeHypervisor();
        Path image = FakeLab.blankImage(images, "tiny.qcow2");
        LabSession lab = FakeLab.start(stateDir, hypervisor);
        String run = lab.runId();
        String subnet = lab.defaultNetwork().subnet().cidr();
        String address = Cidr.format(Cidr.parse(subnet).address() + 20) + "/24";
        LabGuest first = lab.create(GuestSpec.builder().image(image).address(address).build(), "a");
        List<String> before = hypervisor.everything();

        assertThatThrownBy(() -> lab.create(GuestSpec.builder().image(image).address(address).build(), "b"))
                .isInstanceOf(InvalidDeclarationException.class)
                .hasMessage("address '" + address + "' of guest vu-" + run + "-b on network vu-" + run + "-net is "
                        + "already held by guest vu-" + run + "-a; two guests on one segment cannot share an address: "
                        + "give this one another, or leave its address out and virtunit picks a free one");
        assertThat(hypervisor.everything()).as("nothing of the second guest").isEqualTo(before);

        lab.remove(first);
        assertThat(lab.create(GuestSpec.builder().image(image).address(address).build(), "c").addresses())
                .as("the address is free once the first guest is gone").contains(address.substring(0, address.indexOf('/')));
        lab.close();
        assertThat(hypervisor.everything()).isEmpty();
    }

    @Test
    void noFreeSubnetLeftSaysWhereToLookAndHowToFreeOne() {
        String everyThirdOctet = IntStream.range(0, 256).mapToObj(n -> "2: eth1 inet 192.168." + n + ".5/24")
                .collect(Collectors.joining("\n"));
        HostCommands host = (timeout, argv) -> new CommandResult(argv, 0, argv.contains("addr") ? everyThirdOctet : "",
                "", Duration.ZERO);

        assertThatThrownBy(() -> SubnetLease.acquire(stateDir, "1a2b3c", List.of(), host))
                .isInstanceOf(VirtunitException.class)
                .hasMessageStartingWith("no free subnet among 192.168.100-249.0/24: all overlap the host's address "
                        + "192.168.100.5/24")
                .hasMessageContaining("and 145 more")
                .hasMessageEndingWith("Remove stale test networks with scripts/check-leftovers --remove, or free part "
                        + "of that range");
        assertThat(stateDir.resolve("leases")).isEmptyDirectory();
    }
}
