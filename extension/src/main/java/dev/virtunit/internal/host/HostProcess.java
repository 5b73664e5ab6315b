package dev.virtunit.internal.host;

import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;

/**
 * A long-running program started through {@link HostCommands#start}: a server inside a network namespace, say. Ours
 * rather than {@link Process}, so that a fake {@link HostCommands} can stand in for it in unit tests and a remote host
 * could provide it later.
 *
 * <p>The caller drains {@link #stdout()} and {@link #stderr()} (a full pipe stalls the program) and ends it.
 *
 * @since 0.2
 */
public interface HostProcess {

    /** The argument vector it was started with. */
    List<String> argv();

    /** Its process id, for messages and for finding it among the processes of a namespace. */
    long pid();

    InputStream stdout();

    InputStream stderr();

    /**
     * Its stdin, to feed it data ({@link HostFiles} writes a file on a remote host through {@code dd}); closing it
     * is {@link #closeInput()}. A default that refuses, for fakes that only run servers.
     *
     * @since 0.4
     */
    default OutputStream stdin() {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " takes no input");
    }

    /** Closes its stdin: a program that exits at end of input (our servers do) then ends by itself. Idempotent. */
    void closeInput();

    boolean isAlive();

    /** Its exit code, empty while it runs. */
    OptionalInt exitCode();

    /** Waits up to {@code timeout} for it to end; whether it did. */
    boolean waitFor(Duration timeout) throws InterruptedException;

    /** Asks it to end (SIGTERM). */
    void terminate();

    /** Ends it (SIGKILL). */
    void kill();
}
