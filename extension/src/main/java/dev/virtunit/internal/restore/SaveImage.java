package dev.virtunit.internal.restore;

import dev.virtunit.VirtunitException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Optional;

/**
 * A libvirt QEMU save image ({@code virsh save}), as libvirt 9's {@code qemu_saveimage.c} writes it: a 92-byte header
 * (magic {@code LibvirtQemudSave}, then little-endian {@code uint32} version, data length, was-running, format, cookie
 * offset, 14 unused), the data (the domain XML and its NUL, then the save cookie's XML and its NUL, then zero padding
 * up to the data length), then QEMU's migration stream to the end of the file.
 *
 * <p>Why virtunit reads it: {@code virsh restore --xml} and {@code save-image-define} check the new XML against the
 * saved one for ABI stability and refuse another UUID or MAC, but two guests restored from one template need their own
 * name, UUID, MACs, disk overlay and sockets. A copy of the image whose header carries the guest's own XML is restored
 * with a plain {@code virDomainRestore}, which takes the XML in the file as it is; QEMU's stream holds no name, UUID
 * or file path, so it is copied unchanged. (A MAC in the stream is the template's: the guest sets its new one itself.)
 *
 * @since 0.3
 */
public record SaveImage(int version, int wasRunning, int format, String domainXml, Optional<String> cookie,
                        long streamOffset) {

    static final byte[] MAGIC = "LibvirtQemudSave".getBytes(StandardCharsets.US_ASCII);
    static final byte[] PARTIAL = "LibvirtQemudPart".getBytes(StandardCharsets.US_ASCII);
    static final int HEADER_BYTES = 16 + 4 * 5 + 4 * 14;
    /** The newest header version libvirt 9 writes and reads. */
    static final int VERSION = 2;
    /** What libvirt leaves after the XML so that a later, longer XML fits in place. */
    static final int PADDING = 64 * 1024;

    /** Reads the header and XML of the save image at {@code file}. */
    public static SaveImage read(Path file) {
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer header = readFully(in, 0, HEADER_BYTES, file, "header");
            byte[] magic = new byte[16];
            header.get(magic);
            if (Arrays.equals(magic, PARTIAL)) {
                throw new VirtunitException("save image " + file + " is incomplete (its header says "
                        + "LibvirtQemudPart): the save that wrote it did not finish; remove it so that it is made again");
            }
            if (!Arrays.equals(magic, MAGIC)) {
                throw new VirtunitException(file + " is no libvirt QEMU save image (no LibvirtQemudSave magic)");
            }
            int version = header.getInt();
            int dataLength = header.getInt();
            int wasRunning = header.getInt();
            int format = header.getInt();
            int cookieOffset = header.getInt();
            if (version != VERSION) {
                throw new VirtunitException("save image " + file + " has header version " + version + "; virtunit "
                        + "reads version " + VERSION + " (libvirt 9); its guests boot instead");
            }
            if (format != 0) {
                throw new VirtunitException("save image " + file + " is compressed (format " + format + "); virtunit "
                        + "copies only raw images: set save_image_format = \"raw\" in qemu.conf");
            }
            if (dataLength <= 0 || (cookieOffset < 0 || cookieOffset > dataLength)) {
                throw new VirtunitException("save image " + file + " has a broken header (data length " + dataLength
                        + ", cookie offset " + cookieOffset + ")");
            }
            ByteBuffer data = readFully(in, HEADER_BYTES, dataLength, file, "domain XML");
            int xmlLength = cookieOffset == 0 ? dataLength : cookieOffset;
            String xml = cString(data, 0, xmlLength);
            Optional<String> cookie = cookieOffset == 0 ? Optional.empty()
                    : Optional.of(cString(data, cookieOffset, dataLength - cookieOffset));
            return new SaveImage(version, wasRunning, format, xml, cookie, HEADER_BYTES + (long) dataLength);
        } catch (IOException e) {
            throw new VirtunitException("cannot read save image " + file + ": " + e, e);
        }
    }

    /**
     * Writes a copy of the image at {@code source} (which this record was read from) to {@code target} with
     * {@code newXml} as its domain XML; the cookie, flags and QEMU's stream are copied unchanged.
     */
    public void copyWithXml(Path source, String newXml, Path target) {
        byte[] xml = (newXml + "\0").getBytes(StandardCharsets.UTF_8);
        byte[] cookieBytes = cookie.map(c -> (c + "\0").getBytes(StandardCharsets.UTF_8)).orElse(new byte[0]);
        int dataLength = xml.length + cookieBytes.length + PADDING;
        ByteBuffer head = ByteBuffer.allocate(HEADER_BYTES + dataLength).order(ByteOrder.LITTLE_ENDIAN);
        head.put(MAGIC).putInt(version).putInt(dataLength).putInt(wasRunning).putInt(format)
                .putInt(cookie.isPresent() ? xml.length : 0);
        head.position(HEADER_BYTES);
        head.put(xml).put(cookieBytes);
        head.position(0);
        try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ);
             FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            while (head.hasRemaining()) {
                out.write(head);
            }
            long size = in.size();
            long at = streamOffset;
            while (at < size) {
                long copied = in.transferTo(at, size - at, out);
                if (copied <= 0) {
                    throw new IOException("copied nothing at offset " + at + " of " + size);
                }
                at += copied;
            }
        } catch (IOException e) {
            throw new VirtunitException("cannot write save image " + target + " from " + source + ": " + e
                    + "; check the free space of " + target.getParent(), e);
        }
    }

    private static ByteBuffer readFully(FileChannel in, long at, int length, Path file, String what) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (buffer.hasRemaining()) {
            if (in.read(buffer, at + buffer.position()) < 0) {
                throw new VirtunitException("save image " + file + " ends inside its " + what + " (" + length
                        + " bytes from offset " + at + ")");
            }
        }
        return buffer.flip();
    }

    /** The NUL-terminated string at {@code offset}, at most {@code length} bytes. */
    private static String cString(ByteBuffer data, int offset, int length) {
        int end = offset;
        while (end < offset + length && data.get(end) != 0) {
            end++;
        }
        return new String(data.array(), offset, end - offset, StandardCharsets.UTF_8);
    }
}
