package dev.virtunit.internal.image;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The template cache with a fake preparation: saved once per image content and shape, found by later runs, published
 * disk first; an image that cannot serve is recorded, a failed save is not kept and not retried in the same run.
 */
class RestoreTemplatesTest {

    private static final String SHAPE = "memory 256 MiB; vcpus 1; domain type qemu";

    @TempDir
    Path dir;
    private Path cacheDir;
    private Path image;
    private final List<String> prepared = new CopyOnWriteArrayList<>();

    @BeforeEach
    void image() throws IOException {
        cacheDir = dir.resolve("cache");
        image = Files.writeString(dir.resolve("tiny.qcow2"), "image content");
    }

    private final RestoreTemplates.Preparation savesAGuest = (image, disk, memory, key) -> {
        prepared.add(key);
        try {
            Files.writeString(disk, "template disk");
            Files.writeString(memory, "LibvirtQemudSave...");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Optional.empty();
    };

    @Test
    void theFirstGuestOfAShapeSavesTheTemplateAndLaterRunsFindIt() throws IOException {
        RestoreTemplates.Template template = new RestoreTemplates(cacheDir).template(image, SHAPE, savesAGuest)
                .template().orElseThrow();
        RestoreTemplates.Template again = new RestoreTemplates(cacheDir).template(image, SHAPE, savesAGuest)
                .template().orElseThrow();

        assertThat(prepared).hasSize(1);
        assertThat(again).isEqualTo(template);
        Path entry = cacheDir.resolve("images/templates").resolve(template.key());
        assertThat(template.disk()).isEqualTo(entry.resolve("disk.qcow2")).hasContent("template disk");
        assertThat(template.memory()).isEqualTo(entry.resolve("memory.save")).hasContent("LibvirtQemudSave...");
        assertThat(entry.resolve("source.txt")).content().contains("shape: " + SHAPE);
        try (var files = Files.list(entry)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(name -> name.startsWith(".part-"));
        }
    }

    @Test
    void anotherShapeOrAChangedImageIsAnotherTemplate() throws IOException {
        RestoreTemplates templates = new RestoreTemplates(cacheDir);
        String first = templates.template(image, SHAPE, savesAGuest).template().orElseThrow().key();
        String otherShape = templates.template(image, SHAPE + "; vnc true", savesAGuest).template().orElseThrow().key();
        Files.writeString(image, "a rebuilt image");
        Files.setLastModifiedTime(image, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));
        String rebuilt = new RestoreTemplates(cacheDir).template(image, SHAPE, savesAGuest).template().orElseThrow().key();

        assertThat(List.of(first, otherShape, rebuilt)).doesNotHaveDuplicates();
        assertThat(prepared).hasSize(3);
    }

    @Test
    void anImageThatCannotServeIsRecordedAndNotTriedAgain() {
        RestoreTemplates.Preparation noTemplateMode = (image, disk, memory, key) -> {
            prepared.add(key);
            return Optional.of("its boot finished without waiting on the identity port");
        };

        RestoreTemplates.Result first = new RestoreTemplates(cacheDir).template(image, SHAPE, noTemplateMode);
        RestoreTemplates.Result later = new RestoreTemplates(cacheDir).template(image, SHAPE, savesAGuest);

        assertThat(first.template()).isEmpty();
        assertThat(first.whyNot()).contains("its boot finished without waiting").contains("not-restorable.txt");
        assertThat(later.template()).isEmpty();
        assertThat(later.whyNot()).contains("recorded as unable to have a restore template").contains("delete that file");
        assertThat(prepared).hasSize(1);
    }

    @Test
    void aFailedSaveKeepsNothingAndIsNotRetriedInTheSameRunButInTheNext() {
        RestoreTemplates templates = new RestoreTemplates(cacheDir);
        RestoreTemplates.Preparation fails = (image, disk, memory, key) -> {
            prepared.add(key);
            throw new IllegalStateException("the template did not wait for its identity within 60 s");
        };

        RestoreTemplates.Result failed = templates.template(image, SHAPE, fails);
        RestoreTemplates.Result sameRun = templates.template(image, SHAPE, savesAGuest);
        RestoreTemplates.Result nextRun = new RestoreTemplates(cacheDir).template(image, SHAPE, savesAGuest);

        assertThat(failed.template()).isEmpty();
        assertThat(failed.whyNot()).contains("preparing its restore template failed").contains("within 60 s");
        assertThat(sameRun.template()).isEmpty();
        assertThat(sameRun.whyNot()).contains("its restore template failed earlier in this run");
        assertThat(nextRun.template()).isPresent();
        assertThat(prepared).hasSize(2);
    }

    @Test
    void anImageThatCannotBeReadHasNoTemplate() {
        RestoreTemplates.Result result = new RestoreTemplates(cacheDir).template(dir.resolve("gone.qcow2"), SHAPE, savesAGuest);

        assertThat(result.template()).isEmpty();
        assertThat(result.whyNot()).contains("cannot be keyed");
        assertThat(prepared).isEmpty();
    }
}
