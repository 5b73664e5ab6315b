package dev.virtunit.internal.net;

import dev.virtunit.internal.host.CommandFailedException;
import dev.virtunit.internal.host.RecordingHostCommands;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NftablesTest {

    private final RecordingHostCommands host = new RecordingHostCommands();

    @Test
    void aRuleSetIsLoadedFromNftsStdinSoNoFileIsNeededOnTheHost() {
        new Nftables(host).load("add table ip vu_1a2b3c_nat\n");

        assertThat(host.rendered()).containsExactly("nft -f -");
        assertThat(host.inputs()).containsExactly("add table ip vu_1a2b3c_nat\n");
    }

    @Test
    void aRejectedRuleSetFailsWithNftsMessage() {
        host.answer(List.of("nft", "-f", "-"), 1, "", "Error: syntax error, unexpected junk\n");

        assertThatThrownBy(() -> new Nftables(host).load("junk\n"))
                .isInstanceOf(CommandFailedException.class)
                .hasMessage("nft -f - failed with exit code 1: Error: syntax error, unexpected junk");
    }
}
