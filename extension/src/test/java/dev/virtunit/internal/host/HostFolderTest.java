package dev.virtunit.internal.host;

import dev.virtunit.VirtunitException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Files on a host through its commands: carried out by this machine's own tools in a temporary folder. */
class HostFolderTest {

    @TempDir
    Path dir;

    private HostFolder folder() {
        return new HostFolder(HostCommands.local(), dir.resolve("state").toString());
    }

    @Test
    void aFolderThatDoesNotExistListsAndReadsNothing() {
        assertThat(folder().list()).isEmpty();
        assertThat(folder().read("x")).isEmpty();
        assertThat(folder().ages()).isEmpty();
        folder().delete("x");
        folder().deleteAll();
    }

    @Test
    void filesAreWrittenWholeListedAgedAndRemoved() throws Exception {
        HostFolder folder = folder().create();
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

    @Test
    void namesThatLeaveTheFolderAndRelativePathsAreRefused() {
        assertThatThrownBy(() -> folder().file("../etc")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> folder().file("a/b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new HostFolder(HostCommands.local(), "relative")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aFailureNamesWhatTheHostAndTheToolsMessage() {
        RecordingHostCommands host = new RecordingHostCommands().failFirst(List.of("mkdir"));

        assertThatThrownBy(() -> new HostFolder(host, "/var/lib/virtunit/runs").create())
                .isInstanceOf(VirtunitException.class)
                .hasMessage("cannot make folder /var/lib/virtunit/runs on " + host + ": mkdir -p /var/lib/virtunit/runs "
                        + "failed with exit code 1: " + RecordingHostCommands.INJECTED);
    }
}
