package dev.virtunit.internal.host;

import dev.virtunit.VirtunitException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A folder's small files on a host, in a temporary folder: through this machine's java.nio ({@link HostFiles#local})
 * and through a host's commands ({@link HostFiles#over}), carried out by this machine's own tools; both alike.
 */
class HostFolderTest {

    @TempDir
    Path dir;

    static Stream<Arguments> files() {
        return Stream.of(Arguments.of(HostFiles.local()), Arguments.of(HostFiles.over(HostCommands.local())));
    }

    private HostFolder folder(HostFiles files) {
        return files.folder(dir.resolve("state"));
    }

    @ParameterizedTest
    @MethodSource("files")
    void aFolderThatDoesNotExistListsAndReadsNothing(HostFiles files) {
        assertThat(folder(files).list()).isEmpty();
        assertThat(folder(files).read("x")).isEmpty();
        assertThat(folder(files).ages()).isEmpty();
        folder(files).delete("x");
        folder(files).deleteAll();
    }

    @ParameterizedTest
    @MethodSource("files")
    void filesAreWrittenWholeListedAgedAndRemoved(HostFiles files) throws Exception {
        HostFolder folder = folder(files).create();
        folder.write("a.lease", "it's $HOME\n");
        folder.folder("sub").create().write("b", new byte[] {0, 1, 2, (byte) 0xff});
        folder.touch("c");

        assertThat(folder.list()).containsExactly("a.lease", "c", "sub");
        assertThat(folder.read("a.lease")).contains("it's $HOME\n");
        assertThat(Files.readAllBytes(dir.resolve("state/sub/b"))).containsExactly(0, 1, 2, 0xff);
        assertThat(folder.ages()).containsOnlyKeys("a.lease", "c", "sub").allSatisfy((name, age) -> assertThat(age).isBetween(0L, 5L));
        folder.delete("sub");
        assertThat(folder.list()).containsExactly("a.lease", "c");
        folder.deleteAll();
        assertThat(dir.resolve("state")).doesNotExist();
    }

    @ParameterizedTest
    @MethodSource("files")
    void aFileIsReplacedWholeAndATouchKeepsItsContent(HostFiles files) throws Exception {
        HostFolder folder = folder(files).create();
        folder.write("original", "0\n");
        folder.write("original", "1\n");
        Files.setLastModifiedTime(dir.resolve("state/original"), java.nio.file.attribute.FileTime.fromMillis(0));
        folder.touch("original");

        assertThat(folder.read("original")).contains("1\n");
        assertThat(folder.list()).as("no part file left").containsExactly("original");
        assertThat(folder.ages()).hasEntrySatisfying("original", age -> assertThat(age).isBetween(0L, 5L));
    }

    @ParameterizedTest
    @MethodSource("files")
    void namesThatLeaveTheFolderAndRelativePathsAreRefused(HostFiles files) {
        assertThatThrownBy(() -> folder(files).file("../etc")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> folder(files).file("a/b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> folder(files).delete("..")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> files.remove(dir, "state/..")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> files.folder(Path.of("relative"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> files.folder(dir.resolve("state/../.."))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> files.folder(Path.of("/")).deleteAll()).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aFailureNamesWhatTheHostAndTheToolsMessage() {
        RecordingHostCommands host = new RecordingHostCommands().failFirst(List.of("mkdir"));

        assertThatThrownBy(() -> HostFiles.over(host).folder(Path.of("/var/lib/virtunit/runs")).create())
                .isInstanceOf(VirtunitException.class)
                .hasMessage("cannot create the folder /var/lib/virtunit/runs on " + host + ": mkdir -p -- "
                        + "/var/lib/virtunit/runs failed with exit code 1: " + RecordingHostCommands.INJECTED);
    }

    @Test
    void aLocalFailureNamesTheFileAndThisMachine() throws Exception {
        Files.writeString(dir.resolve("state"), "a file, not a folder");

        assertThatThrownBy(() -> folder(HostFiles.local()).write("a.lease", "x"))
                .isInstanceOf(VirtunitException.class)
                .hasMessageStartingWith("cannot write " + dir.resolve("state/a.lease") + " on this machine: ");
        assertThatThrownBy(() -> folder(HostFiles.local()).list())
                .hasMessageStartingWith("cannot list " + dir.resolve("state") + " on this machine: ");
        assertThatThrownBy(() -> folder(HostFiles.local()).touch("c"))
                .hasMessageStartingWith("cannot touch " + dir.resolve("state/c") + " on this machine: ");
    }
}
