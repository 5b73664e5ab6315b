package dev.virtunit.internal.restore;

import dev.virtunit.VirtunitException;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The host's end of a guest's identity port: the UNIX socket QEMU listens on for the domain's
 * {@code <channel type='unix'><source mode='bind'/>} with the target name {@link IdentityMessage#PORT}. One connection
 * writes the whole message and closes; the guest reads to the end.
 *
 * @since 0.3
 */
public final class IdentityChannel {

    /** The longest socket path the kernel takes ({@code sun_path} holds 108 bytes with its NUL). */
    public static final int MAX_PATH_BYTES = 107;

    private IdentityChannel() {
    }

    /** Whether {@code socket} is short enough to be a UNIX socket's path. */
    public static boolean fits(Path socket) {
        return socket.toString().getBytes(StandardCharsets.UTF_8).length <= MAX_PATH_BYTES;
    }

    /** Writes {@code message} to the guest behind {@code socket}, which QEMU made when the domain started. */
    public static void send(Path socket, IdentityMessage message, String guest) {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            ByteBuffer bytes = ByteBuffer.wrap(message.render().getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
        } catch (IOException e) {
            throw new VirtunitException("cannot tell the restored guest " + guest + " who it is through its identity "
                    + "port (socket " + socket + "): " + e + "; the domain's QEMU makes that socket when it starts, "
                    + "so check that the domain runs and has the channel " + IdentityMessage.PORT, e);
        }
    }
}
