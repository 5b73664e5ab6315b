package dev.virtunit.internal.net;

import dev.virtunit.internal.host.RecordingHostCommands;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Parsing and argument checks only: every call here fails before it would run ovs-vsctl. */
class OpenVSwitchTest {

    private final RecordingHostCommands host = new RecordingHostCommands();
    private final OpenVSwitch ovs = new OpenVSwitch(host, new IpLinks(host));

    @Test
    void parsesExternalIds() {
        assertThat(OpenVSwitch.parseExternalIds("virtunit-pid=4242\nvirtunit-run=1a2b3c\n"))
                .containsExactly(Map.entry("virtunit-pid", "4242"), Map.entry("virtunit-run", "1a2b3c"));
        assertThat(OpenVSwitch.parseExternalIds("")).isEmpty();
    }

    @Test
    void rejectsExternalIdsThatWouldNeedQuoting() {
        assertThatThrownBy(() -> ovs.addBridge("vunt1a2bo", Map.of("virtunit-run", "a b")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("external_ids value 'a b' may only contain letters, digits and _ . : @ / + -");
        assertThatThrownBy(() -> ovs.addBridge("vunt1a2bo", Map.of("run=x", "1")))
                .hasMessage("external_ids key 'run=x' may only contain letters, digits and _ . : @ / + -");
    }

    @Test
    void rejectsVlanTagsOutside802Dot1Q() {
        assertThatThrownBy(() -> ovs.setPortVlan("vunt1a2bp", 4095)).hasMessage("VLAN tag 4095 is not between 1 and 4094");
        assertThatThrownBy(() -> ovs.addPort("vunt1a2bo", "vunt1a2bp", 0)).hasMessage("VLAN tag 0 is not between 1 and 4094");
    }

    @Test
    void rejectsBadBridgeAndPortNames() {
        assertThatThrownBy(() -> ovs.deleteBridge("vunt1a2b-ovs-bridge"))
                .hasMessage("interface name 'vunt1a2b-ovs-bridge' has 19 characters; Linux allows at most 15 characters");
        assertThatThrownBy(() -> ovs.addPort("vunt1a2bo", "--all"))
                .hasMessageStartingWith("interface name '--all' may only contain");
    }
}
