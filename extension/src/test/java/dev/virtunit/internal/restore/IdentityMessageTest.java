package dev.virtunit.internal.restore;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.virtunit.VirtunitException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The identity lines as the tiny image's template mode reads them, and their way over a UNIX socket. */
class IdentityMessageTest {

    @TempDir
    Path dir;

    private static IdentityMessage message() {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("meta-data", "instance-id: vu-1\n");
        files.put("network-config", "version: 2\nend\n  indented: yes");
        return new IdentityMessage(Instant.ofEpochSecond(1_764_500_000L), new byte[] {1, 2, 3},
                Map.of("52:54:00:AA:BB:CC", "52:54:00:11:22:33"), files);
    }

    @Test
    void rendersOneItemALineEndedByEndWithEachFileAsItsLines() {
        assertThat(message().render()).isEqualTo(String.join("\n",
                "virtunit-identity 2",
                "time 1764500000",
                "random AQID",
                "mac 52:54:00:aa:bb:cc 52:54:00:11:22:33",
                "file meta-data 1",
                "instance-id: vu-1",
                "file network-config 3",
                "version: 2",
                "end",
                "  indented: yes",
                "end", ""));
    }

    @Test
    void aMacThatIsNoneIsRefused() {
        assertThatThrownBy(() -> new IdentityMessage(Instant.now(), new byte[0], Map.of("52:54:00:aa:bb", "52:54:00:11:22:33"),
                Map.of())).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'52:54:00:aa:bb' is no MAC");
    }

    @Test
    void aSeedFileTheGuestDoesNotReadIsRefused() {
        assertThatThrownBy(() -> new IdentityMessage(Instant.now(), new byte[0], Map.of(), Map.of("vendor-data", "x")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("seed file 'vendor-data'");
    }

    @Test
    void everyMessageHasFreshRandomBytes() {
        assertThat(IdentityMessage.now(Map.of(), Map.of()).random())
                .isNotEqualTo(IdentityMessage.now(Map.of(), Map.of()).random()).hasSize(64);
    }

    /** Sends the message to a guest that ignores the first {@code ignored} messages; what the guest read. */
    private List<String> sentTo(int ignored) throws Exception {
        Path socket = dir.resolve("g.identity");
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        CompletableFuture<List<String>> received = TemplateModeGuest.listen(server, ignored, true);

        IdentityChannel.send(socket, message(), "vu-1", Duration.ofSeconds(10));

        return received.get(10, TimeUnit.SECONDS);
    }

    @Test
    void theChannelWritesTheWholeMessageUntilTheGuestAnswers() throws Exception {
        assertThat(sentTo(0)).containsExactly(message().render());
    }

    @Test
    void aMessageTheGuestDidNotAnswerIsSentAgain() throws Exception {
        assertThat(sentTo(1)).containsExactly(message().render(), message().render());
    }

    @Test
    void aGuestThatNeverAnswersFailsNamingIt() throws Exception {
        Path socket = dir.resolve("g.identity");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            TemplateModeGuest.listen(server, 0, false);

            assertThatThrownBy(() -> IdentityChannel.send(socket, message(), "vu-1", Duration.ofSeconds(2)))
                    .isInstanceOf(VirtunitException.class)
                    .hasMessageContaining("restored guest vu-1 did not take its identity within 2 s")
                    .hasMessageContaining("template: waiting for identity");
        }
    }

    @Test
    void aSocketNobodyListensOnFailsNamingTheGuestAndTheSocket() {
        Path socket = dir.resolve("none.identity");

        assertThatThrownBy(() -> IdentityChannel.send(socket, message(), "vu-1", Duration.ofSeconds(2))).isInstanceOf(VirtunitException.class)
                .hasMessageContaining("restored guest vu-1").hasMessageContaining(socket.toString());
    }

    @Test
    void aSocketPathLongerThanTheKernelTakesDoesNotFit() {
        assertThat(IdentityChannel.fits(Path.of("/" + "a".repeat(106)))).isTrue();
        assertThat(IdentityChannel.fits(Path.of("/" + "a".repeat(107)))).isFalse();
    }
}
