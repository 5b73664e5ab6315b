package dev.virtunit.junit;

import dev.virtunit.Guest;
import dev.virtunit.GuestSpec;
import dev.virtunit.InvalidDeclarationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code @LibvirtGuest(host = ...)} reaches the spec with its placeholders expanded, and the spec's rule names the field. */
class DeclaredHostDeclarationTest {

    @TempDir
    Path dir;

    @BeforeEach
    void files() throws Exception {
        System.setProperty("vu.test.image", Files.writeString(dir.resolve("guest.qcow2"), "x").toString());
        System.setProperty("vu.test.host", "kvm1");
    }

    @AfterEach
    void clear() {
        System.clearProperty("vu.test.image");
        System.clearProperty("vu.test.host");
    }

    static class Declarations {
        @LibvirtGuest(image = "${vu.test.image}", host = "${vu.test.host}")
        static Guest placed;

        @LibvirtGuest(image = "${vu.test.image}", host = "rack-${vu.test.host}")
        static Guest placedByPattern;

        @LibvirtGuest(image = "${vu.test.image}")
        static Guest anywhere;

        @LibvirtGuest(image = "${vu.test.image}", host = "root@kvm1")
        static Guest badHost;

        @LibvirtGuest(image = "${vu.test.image}", host = "${vu.test.no-such-host}")
        static Guest unsetPlaceholder;
    }

    private static GuestSpec spec(String field) throws Exception {
        var declared = Declarations.class.getDeclaredField(field);
        return GuestDeclaration.toSpec(declared.getAnnotation(LibvirtGuest.class), GuestDeclaration.describe(declared),
                Declarations.class);
    }

    private static String where(String field) {
        return "@LibvirtGuest field [" + Declarations.class.getName() + "." + field + "] is invalid: ";
    }

    @Test
    void theHostReachesTheSpecWithPlaceholdersExpanded() throws Exception {
        assertThat(spec("placed").host()).contains("kvm1");
        assertThat(spec("placedByPattern").host()).contains("rack-kvm1");
        assertThat(spec("anywhere").host()).isEmpty();
    }

    @Test
    void aBadHostNameIsRefusedUnderTheFieldsName() {
        assertThatThrownBy(() -> spec("badHost")).isInstanceOf(InvalidDeclarationException.class)
                .hasMessage(where("badHost") + "host 'root@kvm1' is not a host name of virtunit.hosts: 1-63 letters, "
                        + "digits, '.', '_' or '-', starting with a letter or digit (e.g. kvm1); give the name the pool "
                        + "lists, or leave it out and virtunit chooses");
    }

    @Test
    void anUnsetPlaceholderIsRefusedUnderTheFieldsName() {
        assertThatThrownBy(() -> spec("unsetPlaceholder")).isInstanceOf(InvalidDeclarationException.class)
                .hasMessageStartingWith(where("unsetPlaceholder") + "host '${vu.test.no-such-host}' uses "
                        + "${vu.test.no-such-host}, but there is no system property or environment variable "
                        + "vu.test.no-such-host");
    }
}
