package dev.virtunit.internal.lab;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.assertj.core.api.Assertions.assertThat;

/** readyWhen: which console lines count, and that only what follows the last (re)start is looked at. */
class ConsoleReadinessTest {

    @TempDir
    Path dir;

    @Test
    void aLineCountsWhenItContainsTheTextOrThePatternFindsIt() {
        assertThat(new ConsoleLine("login:").foundIn("booting\r\nvu-appliance login: ")).isTrue();
        assertThat(new ConsoleLine("login:").foundIn("booting\nlogin")).isFalse();
        // Literal text with regular-expression characters still means itself...
        assertThat(new ConsoleLine("Ready (v2.1)").foundIn("x\nSystem Ready (v2.1)\n")).isTrue();
        // ...and a pattern works as one, anchored per line.
        assertThat(new ConsoleLine("^router\\d+ login:").foundIn("boot\nrouter7 login: ")).isTrue();
        assertThat(new ConsoleLine("^router\\d+ login:").foundIn("boot\nmy router7 login: ")).isFalse();
    }

    @Test
    void onlyWhatFollowsTheMarkIsLookedAt() throws Exception {
        Path log = dir.resolve("console.log");
        ConsoleMark mark = new ConsoleMark(log);
        assertThat(mark.sinceMark()).isEmpty();   // no log yet

        Files.writeString(log, "first boot\nvu login: ");
        assertThat(mark.sinceMark()).isEqualTo("first boot\nvu login: ");

        mark.markEnd();   // a reboot: the last boot's line must not count
        assertThat(new ConsoleLine("login:").foundIn(mark.sinceMark())).isFalse();
        Files.writeString(log, "\nsecond boot\nvu login: ", StandardOpenOption.APPEND);
        assertThat(mark.sinceMark()).isEqualTo("\nsecond boot\nvu login: ");

        Files.writeString(log, "cut\n");   // a log shorter than the mark was cut: all of it is new
        assertThat(mark.sinceMark()).isEqualTo("cut\n");
    }
}
