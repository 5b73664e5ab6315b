package dev.virtunit.internal.host;

import dev.virtunit.VirtunitException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link HostFiles#over}: the programs a remote host's files are handled with, and how each failure reads. */
class CommandHostFilesTest {

    private static final Path POOL = Path.of("/var/lib/virtunit/pools/vu-1a2b3c-pool");
    private static final Path SEED = POOL.resolve("router-seed.iso");
    private static final Path LOG = POOL.resolve("router-console.log");

    private final RecordingHostCommands host = new RecordingHostCommands();
    private final HostFiles files = HostFiles.over(host, "root@kvm1:22");

    @Test
    void makesAFolderWithItsParents() {
        files.createDirectories(POOL);

        assertThat(host.rendered()).containsExactly("mkdir -p -- /var/lib/virtunit/pools/vu-1a2b3c-pool");
    }

    @Test
    void aFolderThatCannotBeMadeIsNamedWithTheHostAndMkdirsWords() {
        host.answer(List.of("mkdir"), 1, "", "mkdir: cannot create directory '/var/lib/virtunit': Read-only file system");

        assertThatThrownBy(() -> files.createDirectories(POOL)).isInstanceOf(VirtunitException.class)
                .hasMessageContaining("cannot create the folder " + POOL + " on root@kvm1:22")
                .hasMessageContaining("Read-only file system");
    }

    @Test
    void writesBytesThroughTheStdinOfDd() {
        host.startedExits(List.of("dd"), 0, "", "", false);

        files.write(SEED, "cidata".getBytes(StandardCharsets.UTF_8));

        assertThat(host.rendered()).containsExactly("dd of=" + SEED + " bs=65536 status=none");
        RecordingHostCommands.FakeProcess dd = host.started().get(0);
        assertThat(new String(dd.input(), StandardCharsets.UTF_8)).isEqualTo("cidata");
        assertThat(dd.inputClosed()).isTrue();
    }

    @Test
    void streamsALocalFileThroughTheStdinOfDd(@TempDir Path dir) throws IOException {
        Path local = dir.resolve("seed.iso");
        byte[] content = new byte[200_000];
        for (int i = 0; i < content.length; i++) {
            content[i] = (byte) i;
        }
        Files.write(local, content);
        host.startedExits(List.of("dd"), 0, "", "", false);

        files.copyFrom(local, SEED);

        assertThat(host.started().get(0).input()).isEqualTo(content);
    }

    @Test
    void aWriteDdFailsIsAFailureNamingTheFileTheHostAndDdsWords() {
        host.startedExits(List.of("dd"), 1, "", "dd: failed to open '" + SEED + "': No space left on device", false);

        assertThatThrownBy(() -> files.write(SEED, new byte[10])).isInstanceOf(VirtunitException.class)
                .hasMessageContaining("cannot write " + SEED + " on root@kvm1:22: `dd` exited with 1")
                .hasMessageContaining("No space left on device");
    }

    @Test
    void aDdThatCannotStartIsAFailureNamingTheFile() {
        host.failFirst(List.of("dd"));

        assertThatThrownBy(() -> files.write(SEED, new byte[10])).isInstanceOf(VirtunitException.class)
                .hasMessageContaining("cannot write " + SEED + " on root@kvm1:22")
                .hasMessageContaining(RecordingHostCommands.INJECTED);
    }

    @Test
    void readsFromAnOffsetWithTailCountingFromOne() {
        host.startedExits(List.of("tail"), 0, "boot finished\n", "", true);

        Optional<byte[]> read = files.readFrom(LOG, 100);

        assertThat(host.rendered()).containsExactly("tail -c +101 -- " + LOG);
        assertThat(read).hasValueSatisfying(bytes ->
                assertThat(new String(bytes, StandardCharsets.ISO_8859_1)).isEqualTo("boot finished\n"));
    }

    @Test
    void aMissingFileReadsAsNothing() {
        host.startedExits(List.of("tail"), 1, "", "tail: cannot open '" + LOG + "' for reading: No such file or directory", true);

        assertThat(files.readFrom(LOG, 0)).isEmpty();
    }

    @Test
    void anUnreadableFileIsAFailureWithTailsWords() {
        host.startedExits(List.of("tail"), 1, "", "tail: cannot open '" + LOG + "' for reading: Permission denied", true);

        assertThatThrownBy(() -> files.readFrom(LOG, 0)).isInstanceOf(VirtunitException.class)
                .hasMessageContaining("cannot read " + LOG + " on root@kvm1:22: `tail` exited with 1")
                .hasMessageContaining("Permission denied");
    }

    @Test
    void theSizeComesFromStat() {
        host.answer(List.of("stat"), "4096\n");

        assertThat(files.size(LOG)).hasValue(4096);
        assertThat(files.exists(LOG)).isTrue();
        assertThat(host.rendered()).containsExactly("stat -c %s -- " + LOG, "stat -c %s -- " + LOG);
    }

    @Test
    void aMissingFileHasNoSize() {
        host.answer(List.of("stat"), 1, "", "stat: cannot statx '" + LOG + "': No such file or directory");

        assertThat(files.size(LOG)).isEqualTo(OptionalLong.empty());
        assertThat(files.exists(LOG)).isFalse();
    }

    @Test
    void aStatThatFailsOtherwiseOrPrintsNoNumberIsAFailure() {
        host.answer(List.of("stat"), 1, "", "stat: cannot statx: Permission denied");
        assertThatThrownBy(() -> files.size(LOG)).hasMessageContaining("cannot read the size of " + LOG + " on root@kvm1:22")
                .hasMessageContaining("Permission denied");

        host.answer(List.of("stat"), "many\n");
        assertThatThrownBy(() -> files.size(LOG)).hasMessageContaining("stat printed 'many', not a number");
    }

    @Test
    void deletesTheRunsFolderAndFilesInIt() {
        files.delete(POOL);
        files.delete(SEED);

        assertThat(host.rendered()).containsExactly("rm -rf -- " + POOL, "rm -rf -- " + SEED);
    }

    @Test
    void refusesToDeleteAnythingOutsideAFolderVirtunitNamed() {
        for (Path outside : List.of(Path.of("/"), Path.of("/var/lib/virtunit"), Path.of("/var/lib/virtunit/pools"),
                Path.of("/var/lib/virtunit/pools/vu-1a2b3c-pool/../../../../etc"), Path.of("pools/vu-1a2b3c-pool"),
                Path.of("/etc/vu-"), Path.of("/home/vu-user"))) {
            assertThatThrownBy(() -> files.delete(outside)).as(outside.toString()).isInstanceOf(VirtunitException.class)
                    .hasMessageContaining("refusing to delete " + outside + " on root@kvm1:22");
        }
        assertThat(host.commands()).isEmpty();
    }

    @Test
    void aDeleteThatFailsNamesThePath() {
        host.answer(List.of("rm"), 1, "", "rm: cannot remove: Device or resource busy");

        assertThatThrownBy(() -> files.delete(POOL)).hasMessageContaining("cannot delete " + POOL + " on root@kvm1:22")
                .hasMessageContaining("Device or resource busy");
    }

    @Test
    void theLocalFilesRefuseTheSamePaths() {
        assertThatThrownBy(() -> HostFiles.local().delete(Path.of("/var/lib/virtunit/pools")))
                .hasMessageContaining("refusing to delete /var/lib/virtunit/pools on this machine");
    }

    private static final Path RUNS = Path.of("/var/lib/virtunit/runs");

    @Test
    void aMissingFileInAnotherLanguageIsToldByTest() {
        host.answer(List.of("stat"), 1, "", "stat: Aufruf von statx für '" + LOG + "' nicht möglich: Datei oder Verzeichnis nicht gefunden");
        host.answer(List.of("test", "-e"), 1, "", "");

        assertThat(files.size(LOG)).isEqualTo(OptionalLong.empty());
        assertThat(host.rendered()).containsExactly("stat -c %s -- " + LOG, "test -e " + LOG);
    }

    @Test
    void aFolderIsListedWithLsSortedAndAMissingOneListsNothing() {
        host.answer(List.of("ls"), "b.lease\n.lock\na\n");
        assertThat(files.folder(RUNS).list()).containsExactly(".lock", "a", "b.lease");
        assertThat(host.rendered()).containsExactly("ls -1A -- " + RUNS);

        host.answer(List.of("ls"), 2, "", "ls: cannot access '" + RUNS + "': No such file or directory");
        assertThat(files.folder(RUNS).list()).isEmpty();
    }

    @Test
    void aFolderThatCannotBeListedIsAFailureWithLssWords() {
        host.answer(List.of("ls"), 2, "", "ls: cannot open directory '" + RUNS + "': Permission denied");

        assertThatThrownBy(() -> files.folder(RUNS).list()).isInstanceOf(VirtunitException.class)
                .hasMessageContaining("cannot list " + RUNS + " on root@kvm1:22: ls -1A -- " + RUNS + " failed with exit code 2")
                .hasMessageEndingWith("Permission denied");
    }

    @Test
    void aFileOfAFolderIsWrittenBesideThenRenamedOverItAndReadWithTail() {
        host.startedExits(List.of("tail"), 0, "owner.pid=4242\n", "", true);

        files.folder(RUNS).write("1a2b3c.lease", "owner.pid=4242\n");

        assertThat(files.folder(RUNS).read("1a2b3c.lease")).contains("owner.pid=4242\n");
        assertThat(host.rendered()).containsExactly("dd of=" + RUNS + "/1a2b3c.lease.part bs=65536 status=none",
                "mv -f -- " + RUNS + "/1a2b3c.lease.part " + RUNS + "/1a2b3c.lease", "tail -c +1 -- " + RUNS + "/1a2b3c.lease");
        assertThat(new String(host.started().get(0).input(), StandardCharsets.UTF_8)).isEqualTo("owner.pid=4242\n");
    }

    @Test
    void aRenameThatFailsNamesTheFileWritten() {
        host.answer(List.of("mv"), 1, "", "mv: cannot move: Read-only file system");

        assertThatThrownBy(() -> files.folder(RUNS).write("1a2b3c.lease", "x")).isInstanceOf(VirtunitException.class)
                .hasMessageContaining("cannot write " + RUNS + "/1a2b3c.lease on root@kvm1:22")
                .hasMessageEndingWith("Read-only file system");
    }

    @Test
    void aTouchThatFailsNamesTheFile() {
        host.answer(List.of("touch"), 1, "", "touch: cannot touch: Read-only file system");

        assertThatThrownBy(() -> files.folder(RUNS).touch("1a2b3c.lease")).isInstanceOf(VirtunitException.class)
                .hasMessageContaining("cannot touch " + RUNS + "/1a2b3c.lease on root@kvm1:22: touch -- ")
                .hasMessageEndingWith("Read-only file system");
    }

    @Test
    void agesAreTheHostsClockMinusEachEntrysModificationTimeLeavingOutOnesGone() {
        host.answer(List.of("ls"), "a.lease\ngone.lease\n");
        host.answer(List.of("date"), "1000\n");
        host.answer(List.of("stat", "-c", "%Y %n"), 1, "970 " + RUNS + "/a.lease\n", "stat: gone.lease: No such file or directory");

        assertThat(files.folder(RUNS).ages()).containsExactly(java.util.Map.entry("a.lease", 30L));
        assertThat(host.rendered()).containsExactly("ls -1A -- " + RUNS, "date +%s",
                "stat -c '%Y %n' -- " + RUNS + "/a.lease " + RUNS + "/gone.lease");
    }

    @Test
    void aClockThatPrintsNoNumberIsAFailure() {
        host.answer(List.of("ls"), "a.lease\n");
        host.answer(List.of("date"), "Tue Dec  1\n");

        assertThatThrownBy(() -> files.folder(RUNS).ages()).isInstanceOf(VirtunitException.class)
                .hasMessageContaining("cannot read the clock for " + RUNS + " on root@kvm1:22: date printed 'Tue Dec  1', not a number");
    }

    @Test
    void aFolderRemovesOnlyAPlainNameInItWhateverItIsNamed() {
        files.folder(RUNS).delete("1a2b3c.lease");
        files.folder(RUNS).folder("1a2b3c").deleteAll();

        assertThatThrownBy(() -> files.remove(RUNS, "..")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> files.remove(RUNS, "1a2b3c/../..")).isInstanceOf(IllegalArgumentException.class);
        assertThat(host.rendered()).containsExactly("rm -rf -- " + RUNS + "/1a2b3c.lease", "rm -rf -- " + RUNS + "/1a2b3c");
    }
}
