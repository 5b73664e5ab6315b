package dev.virtunit.internal.host;

import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * A host for tests of what virtunit keeps in files on a (remote) host: file programs ({@code mkdir}, {@code ls},
 * {@code dd}, {@code tail}, {@code flock}, ...) run for real on this machine, in the temporary folder a test names as
 * the host's; every other program ({@code sysctl}, {@code java}) goes to a {@link RecordingHostCommands} that records
 * it and answers from its rules. So the file protocol is tested as the host's tools carry it out, without SSH or root.
 */
public final class SplitHost implements HostCommands {

    private static final Set<String> FILE_PROGRAMS = Set.of("mkdir", "ls", "dd", "tail", "mv", "rm", "test", "touch",
            "stat", "date", "stdbuf");

    private final RecordingHostCommands others;

    public SplitHost(RecordingHostCommands others) {
        this.others = others;
    }

    private static boolean local(List<String> argv) {
        return FILE_PROGRAMS.contains(argv.get(0));
    }

    @Override
    public CommandResult run(Duration timeout, List<String> argv) {
        return local(argv) ? HostCommands.local().run(timeout, argv) : others.run(timeout, argv);
    }

    @Override
    public CommandResult run(Duration timeout, List<String> argv, byte[] input) {
        return local(argv) ? HostCommands.local().run(timeout, argv, input) : others.run(timeout, argv, input);
    }

    @Override
    public HostProcess start(List<String> argv) {
        return local(argv) ? HostCommands.local().start(argv) : others.start(argv);
    }

    @Override
    public String toString() {
        return "the test host";
    }
}
