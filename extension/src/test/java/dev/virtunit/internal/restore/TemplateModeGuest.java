package dev.virtunit.internal.restore;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The guest's side of an identity port, as the tiny image's template mode reads it (each file its line count, then its
 * lines; "ok" after "end"), behind a UNIX socket as QEMU serves it.
 */
public final class TemplateModeGuest {

    private TemplateModeGuest() {
    }

    /**
     * Accepts one host connection on {@code server} and reads messages: ignores the first {@code ignored} (as if they
     * reached the port as the guest closed it), answers "ok" to the next unless {@code answers} is false; completes with
     * every message read.
     */
    public static CompletableFuture<List<String>> listen(ServerSocketChannel server, int ignored, boolean answers) {
        return CompletableFuture.supplyAsync(() -> {
            List<String> messages = new ArrayList<>();
            try (server; SocketChannel host = server.accept()) {
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
}
