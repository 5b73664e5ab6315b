package dev.virtunit.internal.lab;

import dev.virtunit.internal.host.CommandResult;
import dev.virtunit.internal.host.HostCommands;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The lease avoids what the host routes and what libvirt networks use, read through the host-command seam. */
class SubnetLeaseTest {

    @TempDir
    Path stateDir;

    @Test
    void skipsSubnetsTheHostRoutesOrLibvirtUses() {
        List<List<String>> ran = new ArrayList<>();
        HostCommands host = (timeout, argv) -> {
            ran.add(argv);
            String out = argv.contains("route") ? "192.168.100.0/24 dev eth1 proto kernel\n" : "2: eth1 inet 192.168.101.5/24\n";
            return new CommandResult(argv, 0, out, "", Duration.ZERO);
        };

        SubnetLease lease = SubnetLease.acquire(stateDir, "abc123", List.of("<ip address='192.168.102.1'/>"), host);

        assertThat(lease.cidr()).isEqualTo("192.168.103.0/24");
        assertThat(ran).containsExactly(List.of("ip", "-4", "route", "show", "table", "all"), List.of("ip", "-4", "-o", "addr"));
        assertThat(SubnetLease.acquire(stateDir, "abc123", List.of(), host).cidr())
                .as("a second lease of the same run skips the first").isEqualTo("192.168.102.0/24");
        lease.release();
        assertThat(lease.file()).doesNotExist();
    }
}
