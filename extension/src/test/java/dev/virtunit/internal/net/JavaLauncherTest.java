package dev.virtunit.internal.net;

import dev.virtunit.VirtunitException;
import dev.virtunit.internal.host.HostFiles;
import dev.virtunit.internal.host.RecordingHostCommands;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Our small programs on a remote host: the class file shipped through the host's commands, the host's java checked. */
class JavaLauncherTest {

    private static final String FOLDER = "/var/lib/virtunit/runs/1a2b3c/java";
    private static final String JAVA_17 = "openjdk version \"17.0.15\" 2025-04-15\nOpenJDK Runtime Environment\n";

    private final RecordingHostCommands host = new RecordingHostCommands();
    private final JavaLauncher launcher = JavaLauncher.shippedTo(host,
            HostFiles.over(host).folder(Path.of(FOLDER)));

    @Test
    void locallyItIsThisJvmsJavaAndClassPathAsBefore() {
        assertThat(JavaLauncher.local().argv(EchoServer.class, "0", "0")).isEqualTo(JavaMain.argv(EchoServer.class, "0", "0"));
    }

    @Test
    void onAHostTheClassIsShippedOnceAndRunWithThatHostsJava() throws Exception {
        host.answer(List.of("java", "-version"), 0, "", JAVA_17);

        List<String> argv = launcher.argv(EchoServer.class, "0", "0");
        launcher.argv(EchoServer.class, "0", "0");

        assertThat(argv).startsWith("java").containsSequence("-cp", FOLDER, "dev.virtunit.internal.net.EchoServer", "0", "0");
        String classFile = FOLDER + "/dev/virtunit/internal/net/EchoServer.class";
        assertThat(host.rendered()).containsExactly("java -version", "mkdir -p -- " + FOLDER + "/dev/virtunit/internal/net",
                "dd of=" + classFile + ".part bs=65536 status=none", "mv -f -- " + classFile + ".part " + classFile);
        try (InputStream in = EchoServer.class.getResourceAsStream("EchoServer.class")) {
            assertThat(host.started()).singleElement().satisfies(dd -> assertThat(dd.input()).isEqualTo(in.readAllBytes()));
        }
    }

    @Test
    void aHostWithoutJavaIsNamedWithTheRemedy() {
        host.answer(List.of("java", "-version"), 127, "", "sh: 1: java: not found\n");

        assertThatThrownBy(() -> launcher.argv(EchoServer.class, "0", "0"))
                .isInstanceOf(VirtunitException.class)
                .hasMessageStartingWith("java -version on " + host + " failed with exit code 127: sh: 1: java: not found.")
                .hasMessageEndingWith("(Debian, Ubuntu: apt install default-jre-headless).");
        assertThat(host.rendered()).as("nothing shipped").containsExactly("java -version");
    }

    @Test
    void aJavaOlderThan17IsRefusedWithTheRemedy() {
        host.answer(List.of("java", "-version"), 0, "", "openjdk version \"1.8.0_392\"\n");

        assertThatThrownBy(() -> launcher.argv(NetProbeClient.class, "tcp"))
                .isInstanceOf(VirtunitException.class)
                .hasMessageStartingWith("java on " + host + " is version 8, older than 17.")
                .hasMessageContaining("install a headless JRE 17 or newer on it");
    }

    @Test
    void aClassThatCannotBeWrittenThereFailsNamingTheFile() {
        host.answer(List.of("java", "-version"), 0, "", JAVA_17);
        host.startedExits(List.of("dd"), 1, "", "dd: /var/lib/virtunit: No space left on device\n", false);

        assertThatThrownBy(() -> launcher.argv(EchoServer.class))
                .isInstanceOf(VirtunitException.class)
                .hasMessageStartingWith("cannot write " + FOLDER + "/dev/virtunit/internal/net/EchoServer.class on ")
                .hasMessageEndingWith("No space left on device");
    }

    /**
     * What is shipped must run alone: each class, defined from its bytes by a loader that knows only the JDK, is
     * linked and verified (a reference to another class of ours would fail here, as it failed on a remote host).
     */
    @Test
    void theShippedClassesNeedNothingButTheJdk() throws Exception {
        for (Class<?> shipped : List.of(EchoServer.class, NetProbeClient.class)) {
            byte[] bytes;
            try (InputStream in = shipped.getResourceAsStream(shipped.getSimpleName() + ".class")) {
                bytes = in.readAllBytes();
            }
            ClassLoader alone = new ClassLoader(ClassLoader.getPlatformClassLoader()) {
                @Override
                protected Class<?> findClass(String name) throws ClassNotFoundException {
                    if (name.equals(shipped.getName())) {
                        return defineClass(name, bytes, 0, bytes.length);
                    }
                    throw new ClassNotFoundException(name + " is not shipped with " + shipped.getName());
                }
            };
            Class<?> loaded = Class.forName(shipped.getName(), true, alone);
            assertThat(loaded.getMethod("main", String[].class)).isNotNull();
        }
    }

    @Test
    void theFeatureReleaseIsReadFromEitherVersionScheme() {
        assertThat(JavaLauncher.feature(JAVA_17)).contains(17);
        assertThat(JavaLauncher.feature("java version \"1.8.0_392\"")).contains(8);
        assertThat(JavaLauncher.feature("openjdk version \"21\" 2023-09-19")).contains(21);
        assertThat(JavaLauncher.feature("no java here")).isEqualTo(Optional.empty());
    }
}
