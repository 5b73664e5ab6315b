package dev.virtunit.internal.lab;

import dev.virtunit.VirtunitException;
import dev.virtunit.internal.host.CommandResult;
import dev.virtunit.internal.host.HostCommands;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The lease avoids what the host routes and what libvirt networks use, read through the host-command seam. */
class SubnetLeaseTest {

    @TempDir
    Path stateDir;

    @Test
    void skipsSubnetsTheHostRoutesOrLibvirtUses() {
        List<List<String>> ran = new ArrayList<>();
        HostCommands host = (timeout, argv) -> {
            synchronized (ran) {
                ran.add(argv);
            }
            String out = argv.contains("route") ? "192.168.100.0/24 dev eth1 proto kernel\n" : "2: eth1 inet 192.168.101.5/24\n";
            return new CommandResult(argv, 0, out, "", Duration.ZERO);
        };

        SubnetLease lease = SubnetLease.acquire(stateDir, "abc123", List.of("<ip address='192.168.102.1'/>"), host);

        assertThat(lease.cidr()).isEqualTo("192.168.103.0/24");
        // Listed side by side: in either order, each once.
        assertThat(ran).containsExactlyInAnyOrder(List.of("ip", "-4", "route", "show", "table", "all"),
                List.of("ip", "-4", "-o", "addr"));
        assertThat(SubnetLease.acquire(stateDir, "abc123", List.of(), host).cidr())
                .as("a second lease of the same run skips the first").isEqualTo("192.168.102.0/24");
        lease.release();
        assertThat(lease.file()).doesNotExist();
    }

    @Test
    void aListingThatFailsLeasesNothingAndSaysWhichItWas() {
        for (String failing : List.of("route", "addr")) {
            HostCommands host = (timeout, argv) -> new CommandResult(argv, argv.contains(failing) ? 1 : 0, "",
                    argv.contains(failing) ? "RTNETLINK answers: Permission denied" : "", Duration.ZERO);

            assertThatThrownBy(() -> SubnetLease.acquire(stateDir, "abc123", List.of(), host))
                    .as("ip %s failing", failing)
                    .hasMessageContaining("ip -4 " + (failing.equals("route") ? "route show table all" : "-o addr"))
                    .hasMessageContaining("Permission denied");
        }
        assertThat(stateDir.resolve("leases")).doesNotExist();
    }

    /** A host whose {@code ip route} prints {@code routes} and whose {@code ip addr} prints {@code addresses}. */
    private static HostCommands host(String routes, String addresses) {
        return (timeout, argv) -> new CommandResult(argv, 0, argv.contains("route") ? routes : addresses, "", Duration.ZERO);
    }

    @Test
    void aSixteenRouteBlocksEveryCandidateAndTheErrorNamesIt() {
        HostCommands host = host("default via 192.0.2.1 dev eth0\n192.168.0.0/16 via 10.9.0.1 dev tun0\n", "");

        assertThatThrownBy(() -> SubnetLease.acquire(stateDir, "abc123", List.of(), host))
                .isInstanceOf(VirtunitException.class)
                .hasMessage("no free subnet among 192.168.100-249.0/24: all overlap the host's route "
                        + "'192.168.0.0/16 via 10.9.0.1 dev tun0'. Remove stale test networks with "
                        + "scripts/check-leftovers --remove, or free part of that range");
        assertThat(stateDir.resolve("leases")).isEmptyDirectory();
    }

    @Test
    void aRouteMoreSpecificThanASlash24BlocksOnlyTheSubnetItIsIn() {
        HostCommands host = host("192.168.100.128/25 dev vpn0 proto kernel scope link\n", "");

        assertThat(SubnetLease.acquire(stateDir, "abc123", List.of(), host).cidr()).isEqualTo("192.168.101.0/24");
    }

    @Test
    void theDefaultRouteBlocksNothingButAWideRouteDoes() {
        assertThat(SubnetLease.acquire(stateDir, "abc123", List.of(), host("default via 192.0.2.1 dev eth0\n"
                + "unreachable default table 7\n", "")).cidr()).isEqualTo("192.168.100.0/24");
        assertThat(SubnetLease.acquire(stateDir, "def456", List.of(), host("default via 192.0.2.1 dev eth0\n"
                + "192.168.0.0/17 dev wg0\n", "")).cidr()).as("192.168.0.0/17 covers .0 to .127")
                .isEqualTo("192.168.128.0/24");
    }

    @Test
    void anAddressOrALibvirtNetworkWithAWidePrefixBlocksAllItCovers() {
        String wideNetwork = "<network><name>office</name><ip address='192.168.122.1' netmask='255.255.128.0'/></network>";
        assertThat(SubnetLease.acquire(stateDir, "abc123", List.of(wideNetwork), host("", "")).cidr())
                .as("192.168.0.0/17").isEqualTo("192.168.128.0/24");
        HostCommands wideAddress = host("", "3: br9    inet 192.168.200.1/20 brd 192.168.207.255 scope global br9\n");
        assertThat(SubnetLease.acquire(stateDir, "def456", List.of(), wideAddress).cidr()).isEqualTo("192.168.100.0/24");

        assertThatThrownBy(() -> SubnetLease.acquire(stateDir, "abc123", List.of(
                "<network><name>big</name><ip family='ipv4' address='192.168.1.1' prefix='16'/></network>"), host("", "")))
                .hasMessageContaining("all overlap libvirt network big (192.168.0.0/16)");
    }
}
