package dev.virtunit.internal.host;

import java.time.Duration;
import java.util.List;

/** What an external command did: its argument vector, exit code, both outputs and how long it took. */
public record CommandResult(List<String> argv, int exitCode, String stdout, String stderr, Duration duration) {

    public CommandResult {
        argv = List.copyOf(argv);
    }

    public boolean succeeded() {
        return exitCode == 0;
    }
}
