package dev.virtunit.internal.host;

import dev.virtunit.internal.text.ShellQuoting;

import java.time.Duration;
import java.util.List;

/**
 * Static shortcuts to {@link HostCommands#local()}, for code that has not been given a {@link HostCommands} yet.
 * New code takes a {@link HostCommands} instead, so that its unit tests can use a fake.
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
