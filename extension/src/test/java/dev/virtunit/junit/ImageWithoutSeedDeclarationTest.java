package dev.virtunit.junit;

import dev.virtunit.Guest;
import dev.virtunit.GuestSpec;
import dev.virtunit.InvalidDeclarationException;
import dev.virtunit.Seed;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code @LibvirtGuest}'s seed, password, identityFile, hostKey and readyWhen reach the spec, placeholders expanded. */
class ImageWithoutSeedDeclarationTest {

    private static final String FINGERPRINT = "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s";

    @TempDir
    Path dir;

    @BeforeEach
    void files() throws Exception {
        System.setProperty("vu.test.image", Files.writeString(dir.resolve("appliance.qcow2"), "x").toString());
        System.setProperty("vu.test.key", Files.writeString(dir.resolve("id"),
                "-----BEGIN OPENSSH PRIVATE KEY-----\n-----END OPENSSH PRIVATE KEY-----\n").toString());
        System.setProperty("vu.test.hostKey", FINGERPRINT);
        System.setProperty("vu.test.password", "secret");
    }

    @AfterEach
    void clear() {
        System.clearProperty("vu.test.image");
        System.clearProperty("vu.test.key");
        System.clearProperty("vu.test.hostKey");
        System.clearProperty("vu.test.password");
    }

    static class Declarations {
        @LibvirtGuest(image = "${vu.test.image}", seed = Seed.NONE, identityFile = "${vu.test.key}",
                hostKey = "${vu.test.hostKey}", password = "${vu.test.password}", readyWhen = "login:")
        static Guest appliance;

        @LibvirtGuest(image = "${vu.test.image}", seed = Seed.NONE, awaitSsh = false, readyWhen = "login:")
        static Guest consoleOnly;

        @LibvirtGuest(image = "${vu.test.image}", password = "secret")
        static Guest passwordWithASeed;

        @LibvirtGuest(image = "${vu.test.image}")
        static Guest plain;
    }

    private static GuestSpec spec(String field) throws Exception {
        var declared = Declarations.class.getDeclaredField(field);
        return GuestDeclaration.toSpec(declared.getAnnotation(LibvirtGuest.class), GuestDeclaration.describe(declared),
                Declarations.class);
    }

    @Test
    void everyAttributeReachesTheSpec() throws Exception {
        GuestSpec spec = spec("appliance");

        assertThat(spec.seed()).isEqualTo(Seed.NONE);
        assertThat(spec.identityFile()).contains(Path.of(System.getProperty("vu.test.key")));
        assertThat(spec.hostKey()).contains(FINGERPRINT);
        assertThat(spec.password()).contains("secret");
        assertThat(spec.readyWhen()).contains("login:");
    }

    @Test
    void emptyAttributesAreLeftOut() throws Exception {
        GuestSpec plain = spec("plain");
        assertThat(plain.seed()).isEqualTo(Seed.NOCLOUD);
        assertThat(plain.password()).isEmpty();
        assertThat(plain.identityFile()).isEmpty();
        assertThat(plain.hostKey()).isEmpty();
        assertThat(plain.readyWhen()).isEmpty();
        assertThat(spec("consoleOnly").awaitSsh()).isFalse();
    }

    @Test
    void theSpecsRulesNameTheField() {
        assertThatThrownBy(() -> spec("passwordWithASeed")).isInstanceOf(InvalidDeclarationException.class)
                .hasMessageStartingWith("@LibvirtGuest field [" + Declarations.class.getName() + ".passwordWithASeed] is "
                        + "invalid: password is for an image without a seed");
    }
}
