package dev.virtunit.junit;

import dev.virtunit.BootSource;
import dev.virtunit.Guest;
import dev.virtunit.GuestSpec;
import dev.virtunit.ImageLocation;
import dev.virtunit.InvalidDeclarationException;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code @LibvirtGuest(image = ..., imageDigest = ...)} in each of the image's three forms. */
class GuestDeclarationImageTest {

    private static final String DIGEST = "sha256:0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f";

    /** The declarations, outside the test class: the extension would act on them there. */
    static final class Declarations {
        @LibvirtGuest(image = "https://images.example/debian-12.qcow2.xz", imageDigest = DIGEST)
        static Guest pinned;

        @LibvirtGuest(image = "http://127.0.0.1:8080/tiny.qcow2")
        static Guest unpinned;

        @LibvirtGuest(image = "virtunit:tiny")
        static Guest tiny;

        @LibvirtGuest(image = "virtunit:tiny", imageDigest = DIGEST)
        static Guest digestOnBuiltIn;

        @LibvirtGuest(liveCd = "live.iso", imageDigest = DIGEST)
        static Guest digestWithoutImage;

        @LibvirtGuest(image = "sftp://h/x.qcow2", imageDigest = "sha256:short")
        static Guest badUrlAndDigest;
    }

    @Test
    void aUrlTakesItsDigest() throws Exception {
        assertThat(image("pinned")).isEqualTo(new ImageLocation.Url("https://images.example/debian-12.qcow2.xz", Optional.of(DIGEST)));
        assertThat(image("unpinned")).isEqualTo(new ImageLocation.Url("http://127.0.0.1:8080/tiny.qcow2", Optional.empty()));
        assertThat(image("tiny")).isEqualTo(new ImageLocation.BuiltIn("tiny"));
    }

    @Test
    void aDigestIsForAUrlOnly() {
        assertThatThrownBy(() -> spec("digestOnBuiltIn")).isInstanceOf(InvalidDeclarationException.class)
                .hasMessage(where("digestOnBuiltIn") + " is invalid: imageDigest is for an image URL (http:// or https://); "
                        + "'virtunit:tiny' is used as it is: drop imageDigest");
        assertThatThrownBy(() -> spec("digestWithoutImage")).isInstanceOf(InvalidDeclarationException.class)
                .hasMessageContaining("imageDigest needs an image URL (image = \"https://...\"); drop imageDigest or give "
                        + "the image");
    }

    @Test
    void theSpecsRulesReportTheUrlAndTheDigestTogether() {
        InvalidDeclarationException e = (InvalidDeclarationException) org.assertj.core.api.Assertions.catchThrowable(
                () -> spec("badUrlAndDigest"));
        assertThat(e.problems()).hasSize(2);
        assertThat(e.problems().get(0)).startsWith("image URL 'sftp://h/x.qcow2' has scheme sftp");
        assertThat(e.problems().get(1)).startsWith("image digest 'sha256:short' is not of the form");
    }

    private static ImageLocation image(String field) throws Exception {
        return ((BootSource.DiskImage) spec(field).bootSource()).image();
    }

    private static GuestSpec spec(String field) throws NoSuchFieldException {
        Field declared = Declarations.class.getDeclaredField(field);
        return GuestDeclaration.toSpec(declared.getAnnotation(LibvirtGuest.class), where(field), GuestDeclarationImageTest.class);
    }

    private static String where(String field) {
        return "@LibvirtGuest field [" + Declarations.class.getName() + "." + field + "]";
    }
}
