package dev.virtunit.internal.net;

import dev.virtunit.VirtunitException;
import dev.virtunit.internal.host.RecordingHostCommands;
import dev.virtunit.observe.ConntrackEntry;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code conntrack -L} output as conntrack-tools 1.4.7 prints it (Debian 12), read into values. */
class ConntrackTest {

    /** A masqueraded ping, a masqueraded UDP datagram never answered, and an SSH login from the host. */
    static final String SAMPLE = """
            icmp     1 29 src=192.168.77.10 dst=192.168.231.2 type=8 code=0 id=1822 src=192.168.231.2 dst=192.168.231.1 type=0 code=0 id=1822 mark=0 use=1
            udp      17 28 src=192.168.77.10 dst=192.168.231.2 sport=41234 dport=40002 [UNREPLIED] src=192.168.231.2 dst=192.168.231.1 sport=40002 dport=41234 mark=0 use=1
            tcp      6 431315 ESTABLISHED src=192.168.101.1 dst=192.168.101.14 sport=53988 dport=22 src=192.168.101.14 dst=192.168.101.1 sport=22 dport=53988 [ASSURED] mark=0 use=1
            """;

    @Test
    void eachLineIsOneEntryWithItsOriginalAndReplyTuple() {
        List<ConntrackEntry> entries = Conntrack.parse(SAMPLE);

        assertThat(entries).containsExactly(
                new ConntrackEntry("icmp", "", "192.168.77.10", "192.168.231.2", 0, 0, "192.168.231.2", "192.168.231.1",
                        0, 0, true),
                new ConntrackEntry("udp", "", "192.168.77.10", "192.168.231.2", 41234, 40002, "192.168.231.2",
                        "192.168.231.1", 40002, 41234, false),
                new ConntrackEntry("tcp", "ESTABLISHED", "192.168.101.1", "192.168.101.14", 53988, 22, "192.168.101.14",
                        "192.168.101.1", 22, 53988, true));
        assertThat(entries.get(0).sourceTranslated()).isTrue();
        assertThat(entries.get(2).sourceTranslated()).isFalse();
        assertThat(entries.get(2).destinationTranslated()).isFalse();
    }

    @Test
    void aPortForwardShowsAsDestinationTranslation() {
        ConntrackEntry forwarded = Conntrack.parse("tcp      6 117 TIME_WAIT src=192.168.231.2 dst=192.168.231.1 "
                + "sport=51000 dport=8080 src=192.168.77.50 dst=192.168.231.2 sport=80 dport=51000 [ASSURED] mark=0 use=1\n")
                .get(0);

        assertThat(forwarded.state()).isEqualTo("TIME_WAIT");
        assertThat(forwarded.destinationTranslated()).isTrue();
        assertThat(forwarded.replySource()).isEqualTo("192.168.77.50");
    }

    @Test
    void theSummaryLineAndEmptyOutputAreNoEntries() {
        assertThat(Conntrack.parse("conntrack v1.4.7 (conntrack-tools): 0 flow entries have been shown.\n")).isEmpty();
        assertThat(Conntrack.parse("")).isEmpty();
    }

    @Test
    void entriesOfASubnetAreThoseFromItToItOrAnsweredFromIt() {
        RecordingHostCommands host = new RecordingHostCommands();
        String forwarded = "tcp      6 117 TIME_WAIT src=192.168.231.2 dst=192.168.231.1 sport=51000 dport=8080 "
                + "src=192.168.77.50 dst=192.168.231.2 sport=80 dport=51000 [ASSURED] mark=0 use=1\n";
        host.answer(Conntrack.all(), SAMPLE + forwarded);

        List<ConntrackEntry> entries = new Conntrack(host).entriesOf("192.168.77.0/24");

        assertThat(entries).extracting(ConntrackEntry::protocol).containsExactly("icmp", "udp", "tcp");
        assertThat(entries.get(2).replySource()).isEqualTo("192.168.77.50");
        assertThat(host.rendered()).containsExactly("conntrack -L -f ipv4");
    }

    @Test
    void aMissingConntrackSaysHowToGetIt() {
        RecordingHostCommands host = new RecordingHostCommands();
        host.answer(List.of("conntrack"), 127, "", "conntrack: command not found");

        assertThatThrownBy(() -> new Conntrack(host).entriesOf("192.168.77.0/24")).isInstanceOf(VirtunitException.class)
                .hasMessage("cannot read connection tracking (conntrack -L -f ipv4): exit code 127: "
                        + "conntrack: command not found (is conntrack installed? scripts/setup-host installs it)");
    }
}
