package dev.virtunit.internal.image;

import dev.virtunit.ImageLocation;
import dev.virtunit.VirtunitException;
import dev.virtunit.internal.host.CommandResult;
import dev.virtunit.internal.host.HostCommands;
import dev.virtunit.internal.host.HostProcess;
import dev.virtunit.internal.host.RecordingHostCommands;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code virtunit:tiny}: used where {@code scripts/build-test-image} left it, else built once by the script the library
 * carries, unpacked so that it finds its {@code image/} folder and computes the checkout's cache key.
 */
class TinyImageTest {

    @TempDir
    Path cacheDir;

    @Test
    void aBuiltImageIsUsedAsItIs() throws IOException {
        Path image = Files.createDirectories(cacheDir.resolve("images")).resolve("tiny.qcow2");
        Files.writeString(image, "built");
        RecordingHostCommands host = new RecordingHostCommands();

        assertThat(new ImageResolver(cacheDir, host).localFile(new ImageLocation.BuiltIn("tiny"))).isEqualTo(image);
        assertThat(new ImageResolver(cacheDir, host).localFile(ImageLocation.of(Path.of("my/disk.qcow2"))))
                .as("a local file is used where it is").isEqualTo(Path.of("my/disk.qcow2"));
        assertThat(host.commands()).isEmpty();
    }

    @Test
    void aMissingImageIsBuiltOnceByTheScriptTheLibraryCarries() {
        BuildInstead build = new BuildInstead("echo 'build-test-image: building'; mkdir -p \"$CACHE/images\"; "
                + "echo built > \"$CACHE/images/tiny.qcow2\"");
        TinyImage tiny = new TinyImage(cacheDir, build, Duration.ofSeconds(60));

        assertThat(tiny.image()).isEqualTo(cacheDir.resolve("images/tiny.qcow2")).hasContent("built");
        assertThat(tiny.image()).isEqualTo(cacheDir.resolve("images/tiny.qcow2"));

        assertThat(build.asked).hasSize(1);
        List<String> argv = build.asked.get(0);
        assertThat(argv).hasSize(4).startsWith("bash").endsWith("--cache-dir", cacheDir.toString());
        assertThat(argv.get(1)).endsWith("/build-test-image");
        assertThat(build.scriptWasThere).as("the script, executable, with its image/ folder beside it").isTrue();
        assertThat(Path.of(argv.get(1)).getParent()).as("the unpacked scripts are removed").doesNotExist();
    }

    @Test
    void aFailedBuildSaysWhyAndHowToBuildByHand() {
        BuildInstead build = new BuildInstead("echo 'build-test-image: ERROR: must run as root' >&2; exit 1");

        assertThatThrownBy(() -> new TinyImage(cacheDir, build, Duration.ofSeconds(60)).image())
                .isInstanceOf(VirtunitException.class)
                .hasMessageStartingWith("building virtunit:tiny failed (bash ")
                .hasMessageContaining(" exited 1):\nbuild-test-image: ERROR: must run as root\n")
                .hasMessageEndingWith("Build it once as root: scripts/build-test-image --cache-dir " + cacheDir);
    }

    @Test
    void aBuildThatLeavesNoImageIsAnError() {
        BuildInstead build = new BuildInstead("echo 'build-test-image: done'");

        assertThatThrownBy(() -> new TinyImage(cacheDir, build, Duration.ofSeconds(60)).image())
                .isInstanceOf(VirtunitException.class)
                .hasMessage("build-test-image finished but left no " + cacheDir.resolve("images/tiny.qcow2")
                        + "; run scripts/build-test-image --cache-dir " + cacheDir + " as root and read what it says");
    }

    @Test
    void aBuildThatTakesTooLongIsStopped() throws InterruptedException {
        BuildInstead build = new BuildInstead("exec sleep 60");

        assertThatThrownBy(() -> new TinyImage(cacheDir, build, Duration.ofSeconds(1)).image())
                .isInstanceOf(VirtunitException.class)
                .hasMessage("building virtunit:tiny did not finish within 1 s; build it once by hand: "
                        + "scripts/build-test-image --cache-dir " + cacheDir);
        assertThat(build.started.get(0).waitFor(Duration.ofSeconds(10))).as("the build was killed").isTrue();
    }

    /** The library's copy is the checkout's: same files, same bytes, executable exactly where the checkout's are. */
    @Test
    void theUnpackedScriptsAreTheCheckoutsSoTheCacheKeyIsTheSame() throws IOException {
        Path unpacked = cacheDir.resolve("scripts");
        TinyImage.extractScripts(TinyImage.class.getClassLoader(), unpacked);
        assertSameAsCheckout(unpacked);
    }

    /** As users get it: from the library's jar. */
    @Test
    void theScriptsComeOutOfAJarJustTheSame() throws IOException {
        Path classes = Path.of(TinyImage.class.getProtectionDomain().getCodeSource().getLocation().getPath());
        Path jar = cacheDir.resolve("library.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
             Stream<Path> files = Files.walk(classes.resolve(TinyImage.RESOURCES))) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(file).toString()));
                Files.copy(file, out);
                out.closeEntry();
            }
        }
        Path unpacked = cacheDir.resolve("from-jar");
        try (URLClassLoader library = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
            TinyImage.extractScripts(library, unpacked);
        }
        assertSameAsCheckout(unpacked);
        assertThatThrownBy(() -> TinyImage.extractScripts(new URLClassLoader(new URL[0], null), cacheDir.resolve("none")))
                .isInstanceOf(IOException.class)
                .hasMessage("the library has no resource virtunit/image-build/build-test-image; it was built without scripts/");
    }

    private static void assertSameAsCheckout(Path unpacked) throws IOException {
        Path checkout = Path.of("..", "scripts");

        List<String> expected = new ArrayList<>(files(checkout.resolve("image"), "image/"));
        expected.add("build-test-image");
        assertThat(files(unpacked, "")).containsExactlyInAnyOrderElementsOf(expected);
        for (String name : expected) {
            Path original = checkout.resolve(name);
            Path copy = unpacked.resolve(name);
            assertThat(copy).as(name).hasSameBinaryContentAs(original);
            assertThat(Files.isExecutable(copy)).as(name + " executable").isEqualTo(Files.isExecutable(original));
        }
    }

    private static List<String> files(Path root, String prefix) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).map(f -> prefix + root.relativize(f)).toList();
        }
    }

    /**
     * Checks the build script it is asked to start, then runs {@code shell} instead ({@code $CACHE} is the cache
     * folder): the real script needs root and Debian's archive.
     */
    private static final class BuildInstead implements HostCommands {
        private final String shell;
        final List<List<String>> asked = new ArrayList<>();
        final List<HostProcess> started = new ArrayList<>();
        boolean scriptWasThere;

        BuildInstead(String shell) {
            this.shell = shell;
        }

        @Override
        public CommandResult run(Duration timeout, List<String> argv) {
            throw new AssertionError("only the build is started: " + argv);
        }

        @Override
        public HostProcess start(List<String> argv) {
            asked.add(argv);
            Path script = Path.of(argv.get(1));
            scriptWasThere = Files.isExecutable(script) && Files.isDirectory(script.resolveSibling("image/rootfs"))
                    && Files.isExecutable(script.resolveSibling("image/initramfs-init"));
            HostProcess process = HostCommands.local().start(List.of("bash", "-c", "CACHE=$1; " + shell, "build", argv.get(3)));
            started.add(process);
            return process;
        }
    }
}
