package dev.virtunit.internal.net;

import dev.virtunit.internal.host.RecordingHostCommands;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NetworkNamespacesTest {

    private final RecordingHostCommands host = new RecordingHostCommands();
    private final NetworkNamespaces namespaces = new NetworkNamespaces(host);

    @Test
    void parsesNamespaceNamesWithAndWithoutIds() {
        assertThat(NetworkNamespaces.parseNamespaceNames("vunt1a2bu (id: 1)\nvunt1a2bg\n\n"))
                .containsExactly("vunt1a2bu", "vunt1a2bg");
    }

    @Test
    void rejectsBadNamesAndEmptyCommandsBeforeRunningAnything() {
        assertThatThrownBy(() -> namespaces.deleteNamespace("-all"))
                .hasMessageStartingWith("network namespace name '-all' may only contain");
        assertThatThrownBy(() -> namespaces.execIn("vunt1a2bg", List.of()))
                .hasMessage("no command to run in namespace vunt1a2bg");
        assertThat(host.commands()).isEmpty();
    }

    @Test
    void aNewNamespaceGetsItsLoopbackUp() {
        namespaces.addNamespace("vunt1a2bg");

        assertThat(host.rendered()).containsExactly("ip netns add vunt1a2bg", "ip -n vunt1a2bg link set dev lo up");
    }

    @Test
    void deletingEndsTheProcessesInsideFirst() {
        host.answer(List.of("ip", "netns", "list"), "vunt1a2bg (id: 3)\n");
        // Two processes at first; after SIGTERM the namespace is empty.
        host.answerOnce(List.of("ip", "netns", "pids"), "4242\n4343\n");

        namespaces.deleteNamespace("vunt1a2bg");

        assertThat(host.rendered()).containsExactly(
                "ip netns list",
                "ip netns pids vunt1a2bg",
                "kill -s TERM 4242 4343",
                "ip netns pids vunt1a2bg",
                "ip netns del vunt1a2bg");
    }

    @Test
    void deletingAMissingNamespaceDoesNothingMore() {
        host.answer(List.of("ip", "netns", "list"), "vunt1a2bu\n");

        namespaces.deleteNamespace("vunt1a2bg");

        assertThat(host.rendered()).containsExactly("ip netns list");
    }
}
