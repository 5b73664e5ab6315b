package dev.virtunit.internal.ssh;

import net.schmizz.sshj.common.Buffer;

import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A client of the user's SSH agent ({@code $SSH_AUTH_SOCK}), speaking the agent protocol of OpenSSH's
 * PROTOCOL.agent: list the keys it holds, and have it sign a login with one of them. The private keys never leave
 * the agent. sshj has no agent client of its own (its {@code AuthAgent} needs jsch-agentproxy), and the protocol
 * needs two requests, so this is ours. One connection to the socket per request: the agent serves many clients.
 */
final class SshAgent {

    private static final byte FAILURE = 5;
    private static final byte REQUEST_IDENTITIES = 11;
    private static final byte IDENTITIES_ANSWER = 12;
    private static final byte SIGN_REQUEST = 13;
    private static final byte SIGN_RESPONSE = 14;
    /** Sign with SHA-256 for an RSA key: servers refuse the SHA-1 {@code ssh-rsa} signature nowadays. */
    private static final int RSA_SHA2_256 = 2;
    /** An agent message is small; anything bigger is not an agent talking. */
    private static final int MAX_MESSAGE = 256 * 1024;

    /** A key the agent holds: its type ({@code ssh-ed25519}), public key blob and comment. */
    record Identity(String keyType, byte[] blob, String comment) {

        /** The signature algorithm a login with it names: {@code rsa-sha2-256} for an RSA key, else its type. */
        String algorithm() {
            return "ssh-rsa".equals(keyType) ? "rsa-sha2-256" : keyType;
        }

        int signFlags() {
            return "ssh-rsa".equals(keyType) ? RSA_SHA2_256 : 0;
        }

        String describe() {
            return keyType + " " + SshKeyPair.sha256Fingerprint(blob) + (comment.isEmpty() ? "" : " (" + comment + ")");
        }
    }

    private final Path socket;

    SshAgent(Path socket) {
        this.socket = socket;
    }

    Path socket() {
        return socket;
    }

    /** The keys the agent holds, in its order. */
    List<Identity> identities() throws IOException {
        Buffer.PlainBuffer answer = call(new Buffer.PlainBuffer().putByte(REQUEST_IDENTITIES), IDENTITIES_ANSWER);
        try {
            int count = answer.readUInt32AsInt();
            List<Identity> identities = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                byte[] blob = answer.readBytes();
                String comment = answer.readString();
                String type = new Buffer.PlainBuffer(blob).readString();
                identities.add(new Identity(type, blob, comment));
            }
            return identities;
        } catch (Buffer.BufferException e) {
            throw new IOException("the SSH agent at " + socket + " sent a key list that cannot be read", e);
        }
    }

    /** The agent's signature of {@code data} with {@code identity}, in SSH's encoding (algorithm, then blob). */
    byte[] sign(Identity identity, byte[] data) throws IOException {
        Buffer.PlainBuffer request = new Buffer.PlainBuffer().putByte(SIGN_REQUEST).putBytes(identity.blob())
                .putBytes(data).putUInt32(identity.signFlags());
        try {
            return call(request, SIGN_RESPONSE).readBytes();
        } catch (Buffer.BufferException e) {
            throw new IOException("the SSH agent at " + socket + " sent a signature that cannot be read", e);
        }
    }

    /** One request and its answer, which must be of type {@code expected}. */
    private Buffer.PlainBuffer call(Buffer.PlainBuffer request, byte expected) throws IOException {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            byte[] payload = request.getCompactData();
            ByteBuffer out = ByteBuffer.allocate(4 + payload.length).putInt(payload.length).put(payload).flip();
            while (out.hasRemaining()) {
                channel.write(out);
            }
            ByteBuffer length = readFully(channel, ByteBuffer.allocate(4));
            int size = length.flip().getInt();
            if (size < 1 || size > MAX_MESSAGE) {
                throw new IOException("the SSH agent at " + socket + " answered with a message of " + size + " bytes");
            }
            byte[] answer = readFully(channel, ByteBuffer.allocate(size)).array();
            if (answer[0] == FAILURE) {
                throw new IOException("the SSH agent at " + socket + " refused the request (is the key still in it, "
                        + "or does it ask for confirmation?)");
            }
            if (answer[0] != expected) {
                throw new IOException("the SSH agent at " + socket + " answered with message type " + answer[0]
                        + " instead of " + expected);
            }
            Buffer.PlainBuffer buffer = new Buffer.PlainBuffer(answer);
            buffer.rpos(1);
            return buffer;
        }
    }

    private ByteBuffer readFully(SocketChannel channel, ByteBuffer into) throws IOException {
        while (into.hasRemaining()) {
            if (channel.read(into) < 0) {
                throw new EOFException("the SSH agent at " + socket + " closed the connection mid-answer");
            }
        }
        return into;
    }
}
