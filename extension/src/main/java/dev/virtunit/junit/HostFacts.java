package dev.virtunit.junit;

import dev.virtunit.internal.host.CommandFailedException;
import dev.virtunit.internal.host.CommandResult;
import dev.virtunit.internal.host.HostCommands;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What the {@code @EnabledIf...} conditions read from the host: files under /proc, /sys and /dev, and the output of
 * a few programs. A seam, so that each condition's decision is unit-tested with a fake host.
 */
interface HostFacts {

    /** The file's text; empty when it does not exist or cannot be read. */
    Optional<String> read(Path file);

    boolean exists(Path file);

    /** Whether this process may open {@code file} for reading and writing. */
    boolean readableAndWritable(Path file);

    /** The program's stdout when it ran and exited 0; empty when it is missing, failed or timed out. */
    Optional<String> output(List<String> argv);

    /** This machine. */
    static HostFacts local() {
        return new Local(HostCommands.local());
    }

    /** The host this JVM runs on, its programs run through {@code commands}. */
    record Local(HostCommands commands) implements HostFacts {

        @Override
        public Optional<String> read(Path file) {
            try {
                return Optional.of(Files.readString(file));
            } catch (IOException | SecurityException e) {
                return Optional.empty();
            }
        }

        @Override
        public boolean exists(Path file) {
            return Files.exists(file);
        }

        @Override
        public boolean readableAndWritable(Path file) {
            return Files.isReadable(file) && Files.isWritable(file);
        }

        @Override
        public Optional<String> output(List<String> argv) {
            try {
                CommandResult result = commands.run(Duration.ofSeconds(20), argv);
                return result.succeeded() ? Optional.of(result.stdout()) : Optional.empty();
            } catch (CommandFailedException notStartedOrTimedOut) {
                return Optional.empty();
            }
        }
    }
}
