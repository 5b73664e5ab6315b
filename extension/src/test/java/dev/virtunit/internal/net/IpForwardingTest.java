package dev.virtunit.internal.net;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Against a plain file standing in for /proc/sys/net/ipv4/ip_forward: no host change. */
class IpForwardingTest {

    @TempDir
    Path dir;

    @Test
    void onWhileAnyLeaseIsOpenThenRestoresWhatItFound() throws IOException {
        Path file = Files.writeString(dir.resolve("ip_forward"), "0\n");
        IpForwarding forwarding = new IpForwarding(file);

        IpForwarding.Lease first = forwarding.acquire();
        assertThat(forwarding.read()).isEqualTo("1");
        IpForwarding.Lease second = forwarding.acquire();
        first.close();
        assertThat(forwarding.read()).as("still held by the second lease").isEqualTo("1");
        first.close();
        assertThat(forwarding.holders()).as("closing twice counts once").isEqualTo(1);
        second.close();

        assertThat(forwarding.read()).isEqualTo("0");
        assertThat(forwarding.holders()).isZero();
    }

    @Test
    void leavesForwardingOnWhenItWasOnBefore() throws IOException {
        Path file = Files.writeString(dir.resolve("ip_forward"), "1\n");
        IpForwarding forwarding = new IpForwarding(file);

        forwarding.acquire().close();

        assertThat(forwarding.read()).isEqualTo("1");
    }

    @Test
    void aNewRoundReadsTheValueAgain() throws IOException {
        Path file = Files.writeString(dir.resolve("ip_forward"), "0\n");
        IpForwarding forwarding = new IpForwarding(file);
        forwarding.acquire().close();
        Files.writeString(file, "1\n"); // someone else switched it on in between

        forwarding.acquire().close();

        assertThat(forwarding.read()).isEqualTo("1");
    }
}
