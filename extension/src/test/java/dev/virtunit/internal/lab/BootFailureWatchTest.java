package dev.virtunit.internal.lab;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The console lines that end a boot, and the ones that only explain it. The console texts are what SeaBIOS 1.16 with
 * its serial console printed on this project's host, escapes included.
 */
class BootFailureWatchTest {

    private static final String SEABIOS = "\u001Bc\u001B[?7l\u001B[2J\u001B[0mSeaBIOS (version 1.16.2-debian-1.16.2-1)\r\n"
            + "Machine UUID f749f499-a188-4657-ab37-5e0a2c4628f4\r\n";

    @TempDir
    Path dir;

    @Test
    void aBlankDiskEndsWithNoBootableDeviceAfterTheDiskWasRefused() throws IOException {
        Optional<BootFailure> failure = watch(SEABIOS + "Booting from Hard Disk...\r\n"
                + "Boot failed: not a bootable disk\r\n\r\nNo bootable device.\r\n");

        assertThat(failure).contains(new BootFailure("No bootable device.", "the firmware (SeaBIOS)",
                List.of("Booting from Hard Disk...", "Boot failed: not a bootable disk")));
    }

    @Test
    void aDataIsoAsLiveCdEndsTheSameWayWithTheCdromReason() throws IOException {
        Optional<BootFailure> failure = watch(SEABIOS + "Booting from DVD/CD...\r\n"
                + "Boot failed: Could not read from CDROM (code 0004)\r\nNo bootable device.\r\n");

        assertThat(failure).map(BootFailure::attempts).contains(
                List.of("Booting from DVD/CD...", "Boot failed: Could not read from CDROM (code 0004)"));
    }

    @Test
    void anMbrWithNothingToBootExplainsItselfBeforeTheFirmwareGivesUp() throws IOException {
        Optional<BootFailure> failure = watch(SEABIOS + "Booting from Hard Disk...\r\nMissing operating system.\r\n"
                + "No bootable device.\r\n");

        assertThat(failure).map(BootFailure::attempts).contains(List.of("Booting from Hard Disk...", "Missing operating system."));
    }

    @Test
    void theRetryingFormOfTheFirmwareLineCountsToo() {
        assertThat(new BootFailureWatch(null).accept("No bootable device.  Retrying in 60 seconds."))
                .map(BootFailure::line).contains("No bootable device.  Retrying in 60 seconds.");
    }

    @Test
    void aKernelPanicEndsTheBootWithTheKernelsLine() throws IOException {
        Optional<BootFailure> failure = watch(SEABIOS + "Booting from Hard Disk...\r\n"
                + "virtunit-init: initramfs at 1.57s, kernel 6.1.0-57-cloud-amd64\r\n"
                + "virtunit-init: ERROR: root filesystem LABEL=vu-root not found\r\n\r\n"
                + "virtunit-init: kernel panic follows\r\n"
                + "[    2.345678] Kernel panic - not syncing: IO-APIC + timer doesn't work!  Boot with apic=debug\r\n"
                + "[    2.345999] ---[ end Kernel panic - not syncing: IO-APIC + timer doesn't work! ]---\r\n");

        assertThat(failure).map(BootFailure::line)
                .contains("[    2.345678] Kernel panic - not syncing: IO-APIC + timer doesn't work!  Boot with apic=debug");
        assertThat(failure).map(BootFailure::speaker).contains("the guest's kernel");
        // Why it panicked is said before the panic, not in its stack trace.
        assertThat(failure).map(BootFailure::attempts).contains(List.of("virtunit-init: initramfs at 1.57s, kernel "
                + "6.1.0-57-cloud-amd64", "virtunit-init: ERROR: root filesystem LABEL=vu-root not found",
                "virtunit-init: kernel panic follows"));
    }

    @Test
    void aBlankDiskBeforeAnInstallerCdIsNotTheEnd() throws IOException {
        // The firmware goes on to the next boot device: one refused disk says nothing about the boot.
        assertThat(watch(SEABIOS + "Booting from Hard Disk...\r\nBoot failed: not a bootable disk\r\n\r\n"
                + "Booting from DVD/CD...\r\nISOLINUX 6.04 EDD 20210613 Copyright (C) 1994-2015 H. Peter Anvin et al\r\n"
                + "virtunit-init: initramfs at 1.57s, kernel 6.1.0-57-cloud-amd64\r\n")).isEmpty();
    }

    @Test
    void anOrdinaryBootIsNoFailure() throws IOException {
        assertThat(watch(SEABIOS + "Booting from Hard Disk...\r\n\r\n"
                + "SYSLINUX 6.04 EDD 20210613 Copyright (C) 1994-2015 H. Peter Anvin et al\r\n"
                + "\u001Bc\u001B[?7l\u001B[2Jvirtunit-init: initramfs at 1.57s, kernel 6.1.0-57-cloud-amd64\r\n"
                + "[    3.1] some-driver: error: no such partition, using defaults\r\n"
                + "virtunit-init: boot finished at 7.50s uptime: vu, ssh port 22\r\n")).isEmpty();
    }

    @Test
    void aLineThatOnlyMentionsTheWordsIsNoFailure() {
        BootFailureWatch watch = new BootFailureWatch(null);
        assertThat(watch.accept("[    2.0] blkfront: No bootable device. found in table")).isEmpty();
        assertThat(watch.accept("echo Boot error")).isEmpty();
    }

    @Test
    void grubInRescueModeIsTheEndAndItsErrorTheReason() throws IOException {
        Optional<BootFailure> failure = watch(SEABIOS + "Booting from Hard Disk...\r\n"
                + "error: no such partition.\r\nEntering rescue mode...\r\ngrub rescue> ");

        assertThat(failure).contains(new BootFailure("Entering rescue mode...", "the boot loader (GRUB)",
                List.of("Booting from Hard Disk...", "error: no such partition.")));
    }

    @Test
    void syslinuxThatCannotLoadItselfIsTheEnd() {
        assertThat(new BootFailureWatch(null).accept("Boot error")).map(BootFailure::speaker)
                .contains("the boot loader (syslinux)");
        assertThat(new BootFailureWatch(null).accept("Failed to load ldlinux.c32")).map(BootFailure::speaker)
                .contains("the boot loader (syslinux)");
    }

    @Test
    void aFinalLineIsSeenBeforeItsNewlineArrives() throws IOException {
        Path log = dir.resolve("console.log");
        BootFailureWatch watch = new BootFailureWatch(new ConsoleLog(log));
        append(log, SEABIOS + "Booting from Hard Disk...\r\nBoot failed: not a bootable disk\r\n");
        assertThat(watch.check()).isEmpty();

        append(log, "No bootable device.");

        assertThat(watch.check()).map(BootFailure::line).contains("No bootable device.");
        // Found once, kept: later output does not change the answer.
        append(log, "\r\nanything\r\n");
        assertThat(watch.check()).map(BootFailure::line).contains("No bootable device.");
    }

    @Test
    void aRebootForgetsWhatTheEarlierBootTried() throws IOException {
        Optional<BootFailure> failure = watch(SEABIOS + "Booting from DVD/CD...\r\nBoot failed: Could not read from CDROM "
                + "(code 0004)\r\nBooting from Hard Disk...\r\nsome kernel\r\nreboot: Restarting system\r\n"
                + SEABIOS + "Booting from Hard Disk...\r\nBoot failed: could not read the boot disk\r\nNo bootable device.\r\n");

        assertThat(failure).map(BootFailure::attempts)
                .contains(List.of("Booting from Hard Disk...", "Boot failed: could not read the boot disk"));
    }

    @Test
    void onlyTheLastFewAttemptsAreKept() {
        BootFailureWatch watch = new BootFailureWatch(null);
        for (int i = 1; i <= 10; i++) {
            watch.accept("error: attempt " + i);
        }
        assertThat(watch.accept("No bootable device.")).map(BootFailure::attempts).get().asList()
                .containsExactly("error: attempt 5", "error: attempt 6", "error: attempt 7", "error: attempt 8",
                        "error: attempt 9", "error: attempt 10");
    }

    @Test
    void aConsoleNotWrittenYetIsNoFailure() throws IOException {
        assertThat(new BootFailureWatch(new ConsoleLog(dir.resolve("not-yet.log"))).check()).isEmpty();
    }

    private Optional<BootFailure> watch(String console) throws IOException {
        Path log = dir.resolve("console.log");
        append(log, console);
        return new BootFailureWatch(new ConsoleLog(log)).check();
    }

    private static void append(Path log, String text) throws IOException {
        Files.writeString(log, text, StandardCharsets.ISO_8859_1, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
