package dev.virtunit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link GuestSpecBuilder#host(String)}: the declared host of a guest in a lab over several hosts. */
class DeclaredHostTest {

    @TempDir
    Path dir;
    private Path image;

    @BeforeEach
    void files() throws IOException {
        image = Files.writeString(dir.resolve("guest.qcow2"), "not really");
    }

    private GuestSpecBuilder guest() {
        return GuestSpec.builder().origin("spec under test").image(image);
    }

    @Test
    void theDeclaredHostIsKeptAndNoneMeansVirtunitChooses() {
        GuestSpec placed = guest().host("kvm1").build();

        assertThat(placed.host()).contains("kvm1");
        assertThat(placed.toString()).contains("on host kvm1");
        assertThat(guest().build().host()).isEmpty();
        assertThat(guest().host("kvm1").host(null).build().host()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "rt", "kvm-1.lab_2", "9", "a23456789012345678901234567890123456789012345678901234567890123"})
    void aHostNameOfLettersDigitsDotsUnderscoresAndDashesIsAccepted(String name) {
        assertThat(guest().host(name).build().host()).contains(name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-kvm1", ".kvm1", "kvm 1", "kvm1;reboot", "root@kvm1", "qemu+ssh://kvm1/system",
            "a234567890123456789012345678901234567890123456789012345678901234"})
    void anyOtherHostNameIsRefusedWithTheRuleAndTheRemedy(String name) {
        assertThatThrownBy(() -> guest().host(name).build()).isInstanceOf(InvalidDeclarationException.class)
                .hasMessage("spec under test is invalid: host '" + name + "' is not a host name of virtunit.hosts: 1-63 "
                        + "letters, digits, '.', '_' or '-', starting with a letter or digit (e.g. kvm1); give the name "
                        + "the pool lists, or leave it out and virtunit chooses");
    }

    @Test
    void aBadHostIsReportedWithTheSpecsOtherProblems() {
        assertThatThrownBy(() -> guest().host("kvm 1").memoryMiB(1).build()).isInstanceOf(InvalidDeclarationException.class)
                .satisfies(e -> assertThat(((InvalidDeclarationException) e).problems()).hasSize(2)
                        .first().asString().startsWith("host 'kvm 1'"));
    }
}
