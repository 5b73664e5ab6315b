package dev.virtunit.internal.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Counts the packets of a classic pcap file (what {@code tcpdump -w} writes): a 24-byte global header whose magic
 * number gives the byte order, then per packet a 16-byte record header whose third field is the captured length.
 * A last record cut short (a capture killed mid-write) is not counted.
 *
 * @since 0.2
 */
public final class PcapFile {

    private static final int MICROS = 0xa1b2c3d4;
    private static final int NANOS = 0xa1b23c4d;

    private PcapFile() {
    }

    /** The number of whole packets in {@code file}; 0 for an empty file (tcpdump never started writing). */
    public static int packetCount(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read capture " + file, e);
        }
        return packetCount(bytes, file.toString());
    }

    static int packetCount(byte[] bytes, String what) {
        if (bytes.length == 0) {
            return 0;
        }
        if (bytes.length < 24) {
            throw new IllegalArgumentException(what + " is no pcap file: " + bytes.length + " bytes, shorter than its header");
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int magic = buffer.getInt(0);
        if (magic != MICROS && magic != NANOS) {
            buffer.order(ByteOrder.BIG_ENDIAN);
            magic = buffer.getInt(0);
            if (magic != MICROS && magic != NANOS) {
                throw new IllegalArgumentException(what + " is no pcap file (magic number " + Integer.toHexString(magic)
                        + "; pcapng is not read here: tcpdump -w writes pcap)");
            }
        }
        int count = 0;
        int position = 24;
        while (position + 16 <= bytes.length) {
            long captured = Integer.toUnsignedLong(buffer.getInt(position + 8));
            if (position + 16 + captured > bytes.length) {
                break;
            }
            count++;
            position += 16 + (int) captured;
        }
        return count;
    }
}
