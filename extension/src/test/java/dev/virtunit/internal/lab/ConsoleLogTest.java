package dev.virtunit.internal.lab;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.assertj.core.api.Assertions.assertThat;

/** Following a console log as it grows: only new lines, whole lines, cleaned. */
class ConsoleLogTest {

    @TempDir
    Path dir;

    @Test
    void eachCallReturnsOnlyTheLinesAppendedSinceTheLast() throws IOException {
        Path file = dir.resolve("console.log");
        ConsoleLog console = new ConsoleLog(file);
        append(file, "one\r\ntwo\r\nthr");
        assertThat(console.newLines()).containsExactly("one", "two");
        assertThat(console.unfinishedLine()).isEqualTo("thr");

        append(file, "ee\r\n");

        assertThat(console.newLines()).containsExactly("three");
        assertThat(console.unfinishedLine()).isEmpty();
        assertThat(console.newLines()).isEmpty();
    }

    @Test
    void followedFromAnOffsetItSkipsWhatAnEarlierBootPrinted() throws IOException {
        Path file = dir.resolve("console.log");
        String earlier = "No bootable device.\r\n";
        append(file, earlier + "this boot\r\n");

        assertThat(new ConsoleLog(file, earlier.length()).newLines()).containsExactly("this boot");
    }

    @Test
    void aLogNotCreatedYetHasNoLines() throws IOException {
        assertThat(new ConsoleLog(dir.resolve("missing.log")).newLines()).isEmpty();
    }

    @Test
    void aTruncatedLogIsReadAgainFromItsStart() throws IOException {
        Path file = dir.resolve("console.log");
        ConsoleLog console = new ConsoleLog(file);
        append(file, "an earlier boot that printed a lot\n");
        console.newLines();

        Files.writeString(file, "new\n");

        assertThat(console.newLines()).containsExactly("new");
    }

    @Test
    void aLineThatNeverEndsIsCutInsteadOfKeptWhole() throws IOException {
        Path file = dir.resolve("console.log");
        ConsoleLog console = new ConsoleLog(file);
        append(file, "#".repeat(200_000));

        assertThat(console.newLines()).hasSize(1);
        assertThat(console.unfinishedLine()).isEmpty();
    }

    @Test
    void terminalEscapesAreRemovedAndOtherControlsShown() {
        assertThat(ConsoleLog.clean("\u001Bc\u001B[?7l\u001B[2J\u001B[0mSeaBIOS (version 1.16.2)\r"))
                .isEqualTo("SeaBIOS (version 1.16.2)");
        assertThat(ConsoleLog.clean("\u001B[1;31mred\u001B[0m and \u0007bell")).isEqualTo("red and ?bell");
    }

    private static void append(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.ISO_8859_1, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
