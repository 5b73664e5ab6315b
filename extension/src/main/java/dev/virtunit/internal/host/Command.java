package dev.virtunit.internal.host;

import dev.virtunit.internal.text.ShellQuoting;

import java.time.Duration;
import java.util.List;

/**
 * One-line shortcuts to {@link HostCommands#local()} for integration tests and tools, which check the real host.
 * The library itself never uses them: its classes are given a {@link HostCommands}, so their unit tests can hand
 * them a fake ({@code ApiBoundaryTest} checks this).
 */
public final class Command {

    private Command() {
    }

    public static CommandResult run(Duration timeout, List<String> argv) {
        return HostCommands.local().run(timeout, argv);
    }

    public static CommandResult run(Duration timeout, String... argv) {
        return run(timeout, List.of(argv));
    }

    public static CommandResult check(Duration timeout, List<String> argv) {
        return HostCommands.local().check(timeout, argv);
    }

    public static CommandResult check(Duration timeout, String... argv) {
        return check(timeout, List.of(argv));
    }

    /** The command as a human would type it, for messages only. */
    public static String render(List<String> argv) {
        return ShellQuoting.join(argv);
    }
}
