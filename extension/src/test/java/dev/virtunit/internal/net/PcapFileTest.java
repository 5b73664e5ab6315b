package dev.virtunit.internal.net;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Counting the packets of pcap files as tcpdump writes them, in either byte order. */
class PcapFileTest {

    /** A pcap file of {@code lengths.length} packets of those captured lengths. */
    static byte[] pcap(ByteOrder order, int... lengths) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer header = ByteBuffer.allocate(24).order(order);
        header.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(262).putInt(1);
        out.writeBytes(header.array());
        for (int length : lengths) {
            ByteBuffer record = ByteBuffer.allocate(16).order(order);
            record.putInt(1_700_000_000).putInt(0).putInt(length).putInt(length);
            out.writeBytes(record.array());
            out.writeBytes(new byte[length]);
        }
        return out.toByteArray();
    }

    @Test
    void countsEveryWholePacketInEitherByteOrder() {
        assertThat(PcapFile.packetCount(pcap(ByteOrder.LITTLE_ENDIAN, 98, 98, 42), "x")).isEqualTo(3);
        assertThat(PcapFile.packetCount(pcap(ByteOrder.BIG_ENDIAN, 60), "x")).isEqualTo(1);
        assertThat(PcapFile.packetCount(pcap(ByteOrder.LITTLE_ENDIAN), "x")).isZero();
    }

    @Test
    void aPacketCutShortByAKilledCaptureIsNotCounted() {
        byte[] whole = pcap(ByteOrder.LITTLE_ENDIAN, 98, 98);
        byte[] cut = java.util.Arrays.copyOf(whole, whole.length - 10);

        assertThat(PcapFile.packetCount(cut, "x")).isEqualTo(1);
    }

    @Test
    void anEmptyFileHasNoPacketsAndAnythingElseIsRefused() {
        assertThat(PcapFile.packetCount(new byte[0], "x")).isZero();
        assertThatThrownBy(() -> PcapFile.packetCount(new byte[30], "/tmp/x.pcap"))
                .hasMessageStartingWith("/tmp/x.pcap is no pcap file (magic number 0;");
        assertThatThrownBy(() -> PcapFile.packetCount(new byte[10], "/tmp/x.pcap"))
                .hasMessage("/tmp/x.pcap is no pcap file: 10 bytes, shorter than its header");
    }
}
