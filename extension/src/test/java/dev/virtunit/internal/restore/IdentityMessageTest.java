package dev.virtunit.internal.restore;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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

    /**
     * A guest's port as QEMU serves it: reads messages line by line, ignores the first {@code ignored} (as if they
     * reached the port as the guest closed it), answers "ok" to the next; returns every message read.
     */
    private static CompletableFuture<List<String>> guest(ServerSocketChannel server, int ignored, boolean answers) {
        return CompletableFuture.supplyAsync(() -> {
            List<String> messages = new ArrayList<>();
            try (SocketChannel host = server.accept()) {
                BufferedReader lines = new BufferedReader(new InputStreamReader(Channels.newInputStream(host),
                        StandardCharsets.UTF_8));
                StringBuilder message = new StringBuilder();
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    message.append(line).append('\n');
                    if (line.startsWith("file ")) {
                        for (int k = Integer.parseInt(line.substring(line.lastIndexOf(' ') + 1)); k > 0; k--) {
                            message.append(lines.readLine()).append('\n');
                        }
                    } else if (line.equals("end")) {
                        messages.add(message.toString());
                        message.setLength(0);
                        if (answers && messages.size() > ignored) {
                            host.write(ByteBuffer.wrap("ok\n".getBytes(StandardCharsets.UTF_8)));
                            break;
                        }
                    }
                }
                return messages;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    @Test
    void theChannelWritesTheWholeMessageUntilTheGuestAnswers() throws Exception {
        Path socket = dir.resolve("g.identity");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            CompletableFuture<List<String>> received = guest(server, 0, true);

            IdentityChannel.send(socket, message(), "vu-1", Duration.ofSeconds(10));

            assertThat(received.get(10, TimeUnit.SECONDS)).containsExactly(message().render());
        }
    }

    @Test
    void aMessageTheGuestDidNotAnswerIsSentAgain() throws Exception {
        Path socket = dir.resolve("g.identity");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            CompletableFuture<List<String>> received = guest(server, 1, true);

            IdentityChannel.send(socket, message(), "vu-1", Duration.ofSeconds(10));

            assertThat(received.get(10, TimeUnit.SECONDS)).containsExactly(message().render(), message().render());
        }
    }

    @Test
    void aGuestThatNeverAnswersFailsNamingIt() throws Exception {
        Path socket = dir.resolve("g.identity");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            guest(server, 0, false);

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
