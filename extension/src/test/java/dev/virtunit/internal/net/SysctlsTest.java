package dev.virtunit.internal.net;

import dev.virtunit.internal.host.RecordingHostCommands;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SysctlsTest {

    private final RecordingHostCommands host = new RecordingHostCommands();
    private final Sysctls sysctls = new Sysctls(host);

    @Test
    void readsWritesAndProbesThroughTheSysctlTool() {
        host.answer(List.of("sysctl", "-n"), "1\n");
        host.answer(List.of("sysctl", "-N", "net.bridge.bridge-nf-call-iptables"), 255, "", "sysctl: cannot stat");

        assertThat(sysctls.read("net.ipv4.ip_forward")).isEqualTo("1");
        sysctls.write("net/ipv4/conf/vunt.10/rp_filter", "2");
        assertThat(sysctls.exists("net.bridge.bridge-nf-call-iptables")).isFalse();

        assertThat(host.rendered()).containsExactly(
                "sysctl -n net.ipv4.ip_forward",
                "sysctl -q -w net/ipv4/conf/vunt.10/rp_filter=2",
                "sysctl -N net.bridge.bridge-nf-call-iptables");
    }

    @Test
    void keysCannotLeaveProcSys() {
        assertThatThrownBy(() -> sysctls.read("net/../../etc/shadow"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("sysctl key 'net/../../etc/shadow' is not like net.ipv4.ip_forward");
        assertThatThrownBy(() -> sysctls.write("/etc/shadow", "x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> sysctls.write("kernel.hostname", "a\nb")).isInstanceOf(IllegalArgumentException.class);
        assertThat(host.commands()).isEmpty();
    }
}
