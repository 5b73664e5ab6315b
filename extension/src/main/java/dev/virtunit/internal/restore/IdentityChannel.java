package dev.virtunit.internal.restore;

import dev.virtunit.VirtunitException;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The host's end of a guest's identity port: the UNIX socket QEMU listens on for the domain's
 * {@code <channel type='unix'><source mode='bind'/>} with the target name {@link IdentityMessage#PORT}. The message is
 * written until the guest answers {@code ok}: the guest polls its port, and what reaches the port just as the guest
 * closes it is dropped by the guest's kernel, so a message may need a second sending.
 *
 * @since 0.3
 */
public final class IdentityChannel {

    /** The longest socket path the kernel takes ({@code sun_path} holds 108 bytes with its NUL). */
    public static final int MAX_PATH_BYTES = 107;
    /** How long one sending waits for the answer before sending again. */
    static final Duration RESEND_AFTER = Duration.ofSeconds(1);

    private IdentityChannel() {
    }

    /** Whether {@code socket} is short enough to be a UNIX socket's path. */
    public static boolean fits(Path socket) {
        return socket.toString().getBytes(StandardCharsets.UTF_8).length <= MAX_PATH_BYTES;
    }

    /**
     * Writes {@code message} to the guest behind {@code socket}, which QEMU made when the domain started, until the
     * guest answers or {@code timeout} passes.
     */
    public static void send(Path socket, IdentityMessage message, String guest, Duration timeout) {
        byte[] bytes = message.render().getBytes(StandardCharsets.UTF_8);
        long deadline = System.nanoTime() + timeout.toNanos();
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
             Selector selector = Selector.open()) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            channel.configureBlocking(false);
            channel.register(selector, SelectionKey.OP_READ);
            StringBuilder answer = new StringBuilder();
            ByteBuffer in = ByteBuffer.allocate(256);
            while (System.nanoTime() < deadline) {
                writeAll(channel, selector, ByteBuffer.wrap(bytes), deadline);
                long resendAt = Math.min(deadline, System.nanoTime() + RESEND_AFTER.toNanos());
                while (System.nanoTime() < resendAt) {
                    selector.select(Math.max(1, (resendAt - System.nanoTime()) / 1_000_000));
                    selector.selectedKeys().clear();
                    in.clear();
                    int read = channel.read(in);
                    if (read < 0) {
                        throw new IOException("QEMU closed the socket before the guest answered");
                    }
                    answer.append(new String(in.array(), 0, read, StandardCharsets.UTF_8));
                    if (answer.toString().contains("ok\n")) {
                        return;
                    }
                }
            }
            throw new VirtunitException("the restored guest " + guest + " did not take its identity within "
                    + timeout.toSeconds() + " s (no answer on its identity port, socket " + socket + "); its console "
                    + "log says whether it waits there ('template: waiting for identity')");
        } catch (IOException e) {
            throw new VirtunitException("cannot tell the restored guest " + guest + " who it is through its identity "
                    + "port (socket " + socket + "): " + e + "; the domain's QEMU makes that socket when it starts, "
                    + "so check that the domain runs and has the channel " + IdentityMessage.PORT, e);
        }
    }

    private static void writeAll(SocketChannel channel, Selector selector, ByteBuffer bytes, long deadline)
            throws IOException {
        while (bytes.hasRemaining() && System.nanoTime() < deadline) {
            if (channel.write(bytes) == 0) {
                // QEMU reads only while the guest has its port open: the socket's buffer may be full meanwhile.
                selector.select(10);
                selector.selectedKeys().clear();
            }
        }
    }
}
