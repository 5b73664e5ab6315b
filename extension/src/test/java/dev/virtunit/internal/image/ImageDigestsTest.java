package dev.virtunit.internal.image;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Image digests are read once per path, size and modification time, remembered across runs, and redone on change. */
class ImageDigestsTest {

    @TempDir
    Path dir;

    private final List<Path> hashed = new ArrayList<>();

    /** A new instance each time, as a new run makes: what it hashes is what no memo on disk answered. */
    private ImageDigests digests() {
        return new ImageDigests(dir.resolve("cache"), file -> {
            hashed.add(file);
            return ImageDigests.sha256Of(file);
        });
    }

    @Test
    void anImageIsReadOnceThenAnsweredFromTheMemoEvenInALaterRun() throws IOException {
        Path image = write("disk.qcow2", "first content");

        String first = digests().digest(image);
        String again = digests().digest(image);

        assertThat(first).isEqualTo("sha256:" + Sha256.hexOf("first content"));
        assertThat(again).isEqualTo(first);
        assertThat(hashed).hasSize(1);
        assertThat(dir.resolve("cache/images/digests")).isDirectoryContaining(p -> p.toString().endsWith(".txt"));
    }

    @Test
    void anImageRewrittenInPlaceIsReadAgainAndGetsItsNewDigest() throws IOException {
        Path image = write("disk.qcow2", "first content");
        String before = digests().digest(image);

        Files.writeString(image, "other content");
        Files.setLastModifiedTime(image, FileTime.fromMillis(Files.getLastModifiedTime(image).toMillis() + 5_000));
        String after = digests().digest(image);

        assertThat(after).isEqualTo("sha256:" + Sha256.hexOf("other content")).isNotEqualTo(before);
        assertThat(hashed).hasSize(2);
    }

    @Test
    void aLinkAndItsTargetShareOneMemo() throws IOException {
        Path image = write("disk.qcow2", "content");
        Path link = Files.createSymbolicLink(dir.resolve("current.qcow2"), image);

        digests().digest(image);
        assertThat(digests().digest(link)).isEqualTo("sha256:" + Sha256.hexOf("content"));
        assertThat(hashed).hasSize(1);
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }
}
