package dev.virtunit;

import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The public API stands on its own: no public class of the API packages refers to {@code dev.virtunit.internal} in
 * any way (signatures, bodies, constants), so a user reading the API never meets an implementation type and the
 * implementation can change freely. The implementation is found at run time ({@code ServiceLoader}), and the JUnit
 * extension, which is package-private, is the one adapter allowed to use it directly.
 */
class ApiBoundaryTest {

    private static final List<String> API_PACKAGES = List.of("dev/virtunit", "dev/virtunit/observe",
            "dev/virtunit/assertions", "dev/virtunit/junit");

    @Test
    void noPublicApiClassRefersToTheImplementation() throws Exception {
        Path classes = classesRoot();
        List<String> offenders = new ArrayList<>();
        int checked = 0;
        for (String pkg : API_PACKAGES) {
            try (Stream<Path> files = Files.list(classes.resolve(pkg))) {
                for (Path file : files.filter(f -> f.toString().endsWith(".class")).sorted().toList()) {
                    String name = classes.relativize(file).toString().replace('/', '.').replaceAll("\\.class$", "");
                    Class<?> type = Class.forName(name, false, getClass().getClassLoader());
                    if (!isPublicApi(type)) {
                        continue;
                    }
                    checked++;
                    if (mentionsInternal(file)) {
                        offenders.add(name);
                    }
                }
            }
        }
        assertThat(checked).as("public API classes found").isGreaterThan(30);
        assertThat(offenders).as("public API classes that refer to dev.virtunit.internal").isEmpty();
    }

    /**
     * Library code runs host programs through a {@link dev.virtunit.internal.host.HostCommands} it is given, never
     * through the static shortcuts, or its orchestration could not be unit-tested with a fake.
     */
    @Test
    void noLibraryClassUsesTheStaticCommandShortcuts() throws Exception {
        Path classes = classesRoot();
        Pattern shortcut = Pattern.compile("dev/virtunit/internal/host/Command(?![A-Za-z0-9_$])");
        List<String> offenders = new ArrayList<>();
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                String name = classes.relativize(file).toString();
                if (name.startsWith("dev/virtunit/internal/host/Command.")) {
                    continue;
                }
                if (shortcut.matcher(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1)).find()) {
                    offenders.add(name);
                }
            }
        }
        assertThat(offenders).as("library classes calling the static Command shortcuts").isEmpty();
    }

    @Test
    void theJunitExtensionIsNotPublicApi() throws Exception {
        Class<?> extension = Class.forName("dev.virtunit.junit.LibvirtExtension");
        assertThat(Modifier.isPublic(extension.getModifiers())).isFalse();
    }

    /** Public, and (for nested types) reachable through public enclosing types. */
    private static boolean isPublicApi(Class<?> type) {
        for (Class<?> c = type; c != null; c = c.getEnclosingClass()) {
            if (!Modifier.isPublic(c.getModifiers())) {
                return false;
            }
        }
        return true;
    }

    /** Class names in a class file's constant pool are UTF-8 with slashes: a reference of any kind shows there. */
    private static boolean mentionsInternal(Path classFile) throws IOException {
        return new String(Files.readAllBytes(classFile), StandardCharsets.ISO_8859_1).contains("dev/virtunit/internal/");
    }

    private static Path classesRoot() throws URISyntaxException {
        return Path.of(Lab.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }
}
