package dev.virtunit.internal.restore;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Save images written byte for byte as libvirt 9's virQEMUSaveDataWrite and virQEMUSaveDataFinish write them. */
public final class LibvirtSaveImages {

    private LibvirtSaveImages() {
    }

    /** A finished, raw save image of {@code xml} with {@code cookie} (null for none) and {@code stream}. */
    public static Path write(Path file, String xml, String cookie, byte[] stream) throws IOException {
        return write(file, "LibvirtQemudSave", 2, 0, xml, cookie, stream);
    }

    /** As {@link #write(Path, String, String, byte[])} with the given magic, header version and format. */
    public static Path write(Path file, String magic, int version, int format, String xml, String cookie,
                             byte[] stream) throws IOException {
        byte[] x = (xml + "\0").getBytes(StandardCharsets.UTF_8);
        byte[] c = cookie == null ? new byte[0] : (cookie + "\0").getBytes(StandardCharsets.UTF_8);
        int dataLength = x.length + c.length + 64 * 1024;
        ByteBuffer out = ByteBuffer.allocate(92 + dataLength + stream.length).order(ByteOrder.LITTLE_ENDIAN);
        out.put(magic.getBytes(StandardCharsets.US_ASCII)).putInt(version).putInt(dataLength).putInt(1).putInt(format)
                .putInt(cookie == null ? 0 : x.length);
        out.position(92);
        out.put(x).put(c);
        out.position(92 + dataLength);
        out.put(stream);
        return Files.write(file, out.array());
    }
}
