package dev.virtunit.internal.ssh;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.UnknownHostException;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class SshMessagesTest {

    @Test
    void durationsReadLikeAHumanWroteThem() {
        assertThat(SshMessages.human(Duration.ofSeconds(1))).isEqualTo("1s");
        assertThat(SshMessages.human(Duration.ofMillis(1500))).isEqualTo("1500ms");
        assertThat(SshMessages.human(Duration.ofMinutes(2))).isEqualTo("2m");
        assertThat(SshMessages.human(Duration.ZERO)).isEqualTo("0s");
    }

    @Test
    void longOutputInMessagesKeepsItsEnd() {
        assertThat(SshMessages.tail("short\n")).isEqualTo("short");
        assertThat(SshMessages.tail("a".repeat(2500) + "END")).isEqualTo("... (503 characters before) " + "a".repeat(1997) + "END");
        assertThat(SshMessages.outputSoFar("out\n", "")).isEqualTo("stdout so far: [out], stderr so far: []");
    }

    @Test
    void causeChainsKeepEachTellingMessageOnce() {
        IOException wrapped = new IOException("connect to 10.0.0.2:22 failed: Connection refused",
                new IOException("Connection refused", new IllegalStateException()));

        assertThat(SshMessages.describe(wrapped)).isEqualTo("connect to 10.0.0.2:22 failed: Connection refused: IllegalStateException");
        assertThat(SshMessages.describe(new IOException("connect failed", new UnknownHostException("no-such-guest"))))
                .isEqualTo("connect failed: unknown host no-such-guest");
    }
}
