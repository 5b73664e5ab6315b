package dev.virtunit.internal.lab;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Watches a guest's serial console for the line that says its boot is over before it began: SeaBIOS's "No bootable
 * device." once every boot device failed, or a boot loader that stopped for good. The domain keeps running after
 * either, so only the console tells. The wording is SeaBIOS 1.16's (src/boot.c), GRUB 2's, syslinux 6's and Linux's
 * own panic line.
 *
 * <p>Lines that only say one device failed ("Boot failed: not a bootable disk", syslinux's MBR saying "Missing
 * operating system.") are not the end: the firmware goes on to the next boot device, as it must for an installer CD
 * behind a blank disk. They are kept to explain the end when it comes.
 */
final class BootFailureWatch {

    /** A line after which nothing more happens, and who says it. */
    private record Final(Pattern line, String speaker) {
        Final(String regex, String speaker) {
            this(Pattern.compile(regex), speaker);
        }
    }

    private static final List<Final> FINAL_LINES = List.of(
            // Every boot device was tried (a boot loader that gives up hands back to the firmware through INT 18h).
            new Final("No bootable device\\..*", "the firmware (SeaBIOS)"),
            // GRUB's core image found no normal module (a wrong partition or UUID): it waits at "grub rescue>".
            new Final("Entering rescue mode\\.\\.\\.", "the boot loader (GRUB)"),
            // syslinux's boot sector or core could not load the rest: it waits for a key, then reboots into the same.
            new Final("Boot error", "the boot loader (syslinux)"),
            new Final("Failed to load ldlinux\\.c32", "the boot loader (syslinux)"),
            // A kernel that panics stops there (panic=0, the default) and the domain stays running: seen on the tiny
            // image under heavy load with software emulation ("IO-APIC + timer doesn't work"). The line may carry
            // printk's time stamp.
            new Final("(?:\\[ *[0-9.]+\\] )?Kernel panic - not syncing: .*", BootFailure.KERNEL));

    /** The firmware, a boot loader, or an MBR saying what it tried and what failed on the way. */
    private static final Pattern ATTEMPT = Pattern.compile("Booting from .*|Boot failed: .*|Missing operating system\\."
            + "|Operating system load error\\.|Multiple active partitions\\.|GRUB .*(Geom|Hard Disk|Read|Floppy) Error"
            + "|error: .*");
    /** A new boot starts: what earlier boots tried explains nothing. */
    private static final Pattern FIRMWARE_START = Pattern.compile("SeaBIOS \\(version .*");
    private static final int ATTEMPTS_KEPT = 6;
    /** A kernel panic's reason is in the lines just before it (an init saying what it missed), not in its stack. */
    private static final int LINES_BEFORE_PANIC = 3;

    private final ConsoleLog console;
    private final Deque<String> attempts = new ArrayDeque<>();
    private final Deque<String> recentLines = new ArrayDeque<>();
    private Optional<BootFailure> failure = Optional.empty();

    BootFailureWatch(ConsoleLog console) {
        this.console = console;
    }

    /** Reads what the console printed since the last call; the failure once one was printed, else empty. */
    Optional<BootFailure> check() throws IOException {
        for (String line : console.newLines()) {
            if (failure.isPresent()) {
                break;
            }
            failure = accept(line);
        }
        if (failure.isEmpty()) {
            // A final line is often the last thing printed; do not wait for a newline that may never come.
            failure = finalLine(console.unfinishedLine().strip());
        }
        return failure;
    }

    /** Takes one cleaned console line; the failure if it ends the boot, else empty. */
    Optional<BootFailure> accept(String line) {
        String text = line.strip();
        if (FIRMWARE_START.matcher(text).matches()) {
            attempts.clear();
        } else if (ATTEMPT.matcher(text).matches()) {
            if (attempts.size() == ATTEMPTS_KEPT) {
                attempts.removeFirst();
            }
            attempts.addLast(text);
        }
        Optional<BootFailure> end = finalLine(text);
        if (!text.isEmpty()) {
            if (recentLines.size() == LINES_BEFORE_PANIC) {
                recentLines.removeFirst();
            }
            recentLines.addLast(text);
        }
        return end;
    }

    private Optional<BootFailure> finalLine(String text) {
        return FINAL_LINES.stream().filter(end -> end.line().matcher(text).matches()).findFirst()
                .map(end -> new BootFailure(text, end.speaker(),
                        List.copyOf(BootFailure.KERNEL.equals(end.speaker()) ? recentLines : attempts)));
    }
}
