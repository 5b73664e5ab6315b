package dev.virtunit.internal.restore;

import dev.virtunit.VirtunitException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A libvirt save image written here byte for byte as libvirt 9 writes it: read back, and copied with another domain
 * XML, the cookie, flags and QEMU stream unchanged; a partial, foreign, compressed or truncated file is refused by name.
 */
class SaveImageTest {

    private static final String XML = "<domain type='qemu'><name>vu-abc123-template</name><uuid>1</uuid></domain>";
    private static final String COOKIE = "<qemu-migration><cpu/></qemu-migration>";
    private static final byte[] STREAM = streamBytes();

    @TempDir
    Path dir;

    private static byte[] streamBytes() {
        byte[] stream = new byte[300_000];
        for (int i = 0; i < stream.length; i++) {
            stream[i] = (byte) (i * 31 + 7);
        }
        System.arraycopy("QEVM".getBytes(StandardCharsets.US_ASCII), 0, stream, 0, 4);
        return stream;
    }

    @Test
    void readsTheHeaderXmlAndCookie() throws IOException {
        Path file = LibvirtSaveImages.write(dir.resolve("t.save"), "LibvirtQemudSave", 2, 0, XML, COOKIE, STREAM);

        SaveImage image = SaveImage.read(file);

        assertThat(image.domainXml()).isEqualTo(XML);
        assertThat(image.cookie()).contains(COOKIE);
        assertThat(image.wasRunning()).isEqualTo(1);
        assertThat(image.streamOffset()).isEqualTo(Files.size(file) - STREAM.length);
    }

    @Test
    void aCopyCarriesTheNewXmlAndTheSameCookieFlagsAndStream() throws IOException {
        Path source = LibvirtSaveImages.write(dir.resolve("t.save"), "LibvirtQemudSave", 2, 0, XML, COOKIE, STREAM);
        String guestXml = "<domain type='qemu'><name>vu-abc123-guest-with-a-longer-name</name><uuid>2</uuid></domain>";

        SaveImage.read(source).copyWithXml(source, guestXml, dir.resolve("g.save"));

        SaveImage copy = SaveImage.read(dir.resolve("g.save"));
        assertThat(copy.domainXml()).isEqualTo(guestXml);
        assertThat(copy.cookie()).contains(COOKIE);
        assertThat(copy.wasRunning()).isEqualTo(1);
        byte[] bytes = Files.readAllBytes(dir.resolve("g.save"));
        assertThat(Arrays.copyOfRange(bytes, (int) copy.streamOffset(), bytes.length)).isEqualTo(STREAM);
        // byte for byte what libvirt itself would have written for that XML
        assertThat(bytes).isEqualTo(Files.readAllBytes(
                LibvirtSaveImages.write(dir.resolve("expected.save"), "LibvirtQemudSave", 2, 0, guestXml, COOKIE, STREAM)));
    }

    @Test
    void anImageWithoutCookieIsCopiedWithoutOne() throws IOException {
        Path source = LibvirtSaveImages.write(dir.resolve("t.save"), "LibvirtQemudSave", 2, 0, XML, null, STREAM);

        SaveImage.read(source).copyWithXml(source, "<domain/>", dir.resolve("g.save"));

        assertThat(SaveImage.read(dir.resolve("g.save")).cookie()).isEqualTo(Optional.empty());
        assertThat(SaveImage.read(dir.resolve("g.save")).domainXml()).isEqualTo("<domain/>");
    }

    @Test
    void aCopyNeverOverwritesAFile() throws IOException {
        Path source = LibvirtSaveImages.write(dir.resolve("t.save"), "LibvirtQemudSave", 2, 0, XML, COOKIE, STREAM);
        Files.writeString(dir.resolve("g.save"), "someone's");

        assertThatThrownBy(() -> SaveImage.read(source).copyWithXml(source, XML, dir.resolve("g.save")))
                .isInstanceOf(VirtunitException.class).hasMessageContaining("cannot write save image " + dir.resolve("g.save"));
        assertThat(dir.resolve("g.save")).hasContent("someone's");
    }

    /** The header libvirt wrote with {@code magic}, {@code version} and {@code format} is refused saying {@code why}. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "LibvirtQemudPart | 2 | 0 | is incomplete (its header says LibvirtQemudPart)",
            "LibvirtQemudSave | 2 | 1 | compressed (format 1); virtunit copies only raw images: set save_image_format",
            "LibvirtQemudSave | 3 | 0 | header version 3",
            "NotASaveImage... | 2 | 0 | is no libvirt QEMU save image"})
    void aHeaderVirtunitCannotCopyIsRefusedSayingWhy(String magic, int version, int format, String why) throws IOException {
        Path file = LibvirtSaveImages.write(dir.resolve("t.save"), magic, version, format, XML, COOKIE, STREAM);

        assertThatThrownBy(() -> SaveImage.read(file)).isInstanceOf(VirtunitException.class).hasMessageContaining(why);
    }

    @Test
    void aTruncatedImageIsRefused() throws IOException {
        Path full = LibvirtSaveImages.write(dir.resolve("t.save"), "LibvirtQemudSave", 2, 0, XML, COOKIE, STREAM);
        Path file = Files.write(dir.resolve("cut.save"), Arrays.copyOf(Files.readAllBytes(full), 500));

        assertThatThrownBy(() -> SaveImage.read(file)).isInstanceOf(VirtunitException.class)
                .hasMessageContaining("ends inside its domain XML");
    }
}
