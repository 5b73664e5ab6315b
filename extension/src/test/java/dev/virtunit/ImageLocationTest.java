package dev.virtunit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The three forms of an image's location, as written and as checked when a spec is built: every problem's message. */
class ImageLocationTest {

    private static final String DIGEST = "sha256:" + "ab".repeat(32);

    @TempDir
    Path dir;

    @Test
    void theFormAUserWritesSaysWhichKindItIs() {
        assertThat(ImageLocation.parse("images/router.qcow2")).isEqualTo(new ImageLocation.LocalFile(Path.of("images/router.qcow2")));
        assertThat(ImageLocation.parse("/abs/disk.img")).isEqualTo(ImageLocation.of(Path.of("/abs/disk.img")));
        assertThat(ImageLocation.parse("https://example.org/d.qcow2"))
                .isEqualTo(new ImageLocation.Url("https://example.org/d.qcow2", Optional.empty()));
        assertThat(ImageLocation.parse("ftp://example.org/d.qcow2")).isInstanceOf(ImageLocation.Url.class);
        assertThat(ImageLocation.parse("virtunit:tiny")).isEqualTo(new ImageLocation.BuiltIn("tiny"));
        // a colon alone does not make a URL: such a file name is a path
        assertThat(ImageLocation.parse("disk:1.qcow2")).isInstanceOf(ImageLocation.LocalFile.class);
        assertThat(ImageLocation.url(URI.create("http://127.0.0.1:8080/x.qcow2"), DIGEST.toUpperCase().replace("SHA", "sha")))
                .isEqualTo(new ImageLocation.Url("http://127.0.0.1:8080/x.qcow2", Optional.of(DIGEST)));
        assertThat(ImageLocation.parse("virtunit:tiny")).hasToString("virtunit:tiny");
        assertThat(ImageLocation.url(URI.create("http://h/x"), DIGEST)).hasToString("http://h/x (" + DIGEST + ")");
    }

    @Test
    void theBuilderTakesEveryFormAndAPathStillWorks() throws IOException {
        Path image = Files.writeString(dir.resolve("disk.qcow2"), "not really");

        assertThat(GuestSpec.builder().image(image).build().bootSource())
                .isEqualTo(new BootSource.DiskImage(image, Optional.empty()));
        assertThat(GuestSpec.builder().image(image.toString()).build().bootSource())
                .isEqualTo(new BootSource.DiskImage(ImageLocation.of(image), Optional.empty()));
        assertThat(GuestSpec.builder().image("virtunit:tiny").build().bootSource())
                .isEqualTo(new BootSource.DiskImage(new ImageLocation.BuiltIn("tiny"), Optional.empty()));
        assertThat(((BootSource.DiskImage) GuestSpec.builder().image(URI.create("https://h/d.qcow2.xz"), DIGEST).cdrom(image)
                .build().bootSource())).isEqualTo(new BootSource.DiskImage(
                        new ImageLocation.Url("https://h/d.qcow2.xz", Optional.of(DIGEST)), Optional.of(image)));
        assertThat(GuestSpec.builder().image(URI.create("http://h/d.qcow2"), null).build().bootSource())
                .isEqualTo(new BootSource.DiskImage(new ImageLocation.Url("http://h/d.qcow2", Optional.empty()), Optional.empty()));
    }

    @Test
    void aMissingFileNamesWhereItWasLookedFor() {
        assertThat(problems(GuestSpec.builder().image("no/such.qcow2"))).containsExactly("image 'no/such.qcow2' does not "
                + "exist (resolved to " + Path.of("no/such.qcow2").toAbsolutePath() + "); check the path, relative paths "
                + "are resolved against the working directory");
    }

    @Test
    void onlyHttpAndHttpsAreDownloaded() {
        assertThat(problems(GuestSpec.builder().image("ftp://example.org/d.qcow2"))).containsExactly("image URL "
                + "'ftp://example.org/d.qcow2' has scheme ftp; virtunit downloads http:// and https:// URLs only: give "
                + "one, or fetch the image yourself and give its path");
        assertThat(problems(GuestSpec.builder().image(URI.create("example.org/d.qcow2"), null))).containsExactly("image URL "
                + "'example.org/d.qcow2' has no scheme; virtunit downloads http:// and https:// URLs only: give one, or "
                + "fetch the image yourself and give its path");
        assertThat(problems(GuestSpec.builder().image("HTTPS://example.org/d.qcow2"))).isEmpty();
    }

    @Test
    void aUrlNeedsAHostAndAValidForm() {
        assertThat(problems(GuestSpec.builder().image("http:///d.qcow2"))).containsExactly("image URL 'http:///d.qcow2' "
                + "names no host; write it as http://host/path/image.qcow2");
        assertThat(problems(GuestSpec.builder().image("http://example.org/my disk.qcow2"))).containsExactly("image URL "
                + "'http://example.org/my disk.qcow2' is not a valid URL (Illegal character in path at index 21); "
                + "escape spaces and other special characters (%20)");
    }

    @Test
    void aDigestIsSha256In64HexDigits() {
        String expected = "; give the sha256 of the file as the server sends it (sha256sum prints it), or no digest";
        assertThat(problems(GuestSpec.builder().image(URI.create("http://h/d.qcow2"), "md5:0123")))
                .containsExactly("image digest 'md5:0123' is not of the form sha256:<64 hex digits>" + expected);
        assertThat(problems(GuestSpec.builder().image(URI.create("http://h/d.qcow2"), "sha256:" + "g".repeat(64))))
                .containsExactly("image digest 'sha256:" + "g".repeat(64) + "' is not of the form sha256:<64 hex digits>" + expected);
        assertThat(problems(GuestSpec.builder().image(URI.create("http://h/d.qcow2"), DIGEST.substring(0, 70))))
                .hasSize(1);
        assertThat(problems(GuestSpec.builder().image(URI.create("http://h/d.qcow2"), DIGEST))).isEmpty();
    }

    @Test
    void anUnknownBuiltInNameListsTheKnownOnes() {
        assertThat(problems(GuestSpec.builder().image("virtunit:huge"))).containsExactly("image 'virtunit:huge' names no "
                + "built-in image; the built-in images are virtunit:tiny");
    }

    @Test
    void imageProblemsAreReportedWithTheOthers() {
        assertThat(problems(GuestSpec.builder().image(URI.create("gopher://h/d"), "sha1:x").memoryMiB(1)))
                .hasSize(3).anySatisfy(p -> assertThat(p).startsWith("memoryMiB 1 is out of range"));
    }

    /** The problems {@code spec} is refused with; empty when it is accepted. */
    private static List<String> problems(GuestSpecBuilder spec) {
        try {
            spec.origin("spec under test").build();
            return List.of();
        } catch (InvalidDeclarationException e) {
            return e.problems();
        }
    }
}
