package dev.virtunit.internal.host;

import java.time.Duration;
import java.util.List;

/**
 * The seam through which every external program on the host runs: {@code ip}, {@code ovs-vsctl}, {@code nft},
 * {@code sysctl}, {@code qemu-img}, {@code genisoimage}. Production code gets {@link #local()}; unit tests get a fake
 * that records each argument vector and answers from a script (and can fail the k-th command), so orchestration of
 * bridges, NAT, namespaces and forwarding is tested without root. The libvirt side has the same kind of seam in
 * {@code Hypervisor}.
 *
 * <p>Every call is an argument vector (never a shell string) with a timeout; a failure message carries the
 * program's stderr, because that is where {@code ip}, {@code nft} and {@code qemu-img} say what went wrong.
 *
 * @since 0.2
 */
public interface HostCommands {

    /**
     * Runs {@code argv} and returns its result whatever the exit code.
     *
     * @throws CommandFailedException only when the program cannot be started or does not finish within {@code timeout}
     */
    CommandResult run(Duration timeout, List<String> argv);

    /**
     * Like {@link #run}, but a non-zero exit becomes a {@link CommandFailedException} naming the command, its exit code
     * and its stderr.
     */
    default CommandResult check(Duration timeout, List<String> argv) {
        CommandResult result = run(timeout, argv);
        if (!result.succeeded()) {
            throw CommandFailedException.exited(result);
        }
        return result;
    }

    /**
     * Runs {@code argv} with {@code input} on its stdin (then end of input) and returns its result whatever the exit
     * code: how a script reaches a program on any host, remote ones included, without a file there ({@code nft -f -},
     * a file written with {@code tee}). A default that refuses, so that a fake written only for plain commands need
     * not implement it.
     *
     * @throws CommandFailedException only when the program cannot be started or does not finish within {@code timeout}
     * @since 0.4
     */
    default CommandResult run(Duration timeout, List<String> argv, byte[] input) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot feed a program's input");
    }

    /**
     * Like {@link #run(Duration, List, byte[])}, but a non-zero exit becomes a {@link CommandFailedException}.
     *
     * @since 0.4
     */
    default CommandResult check(Duration timeout, List<String> argv, byte[] input) {
        CommandResult result = run(timeout, argv, input);
        if (!result.succeeded()) {
            throw CommandFailedException.exited(result);
        }
        return result;
    }

    /**
     * Starts a long-running {@code argv} and returns at once. Its stdin stays a pipe to this JVM, so a program that
     * exits at end of input goes away with this JVM even when nobody ends it.
     *
     * <p>A default that refuses, so that a fake written only for short commands need not implement it.
     *
     * @throws CommandFailedException when the program cannot be started
     */
    default HostProcess start(List<String> argv) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot start long-running programs");
    }

    /** The host this JVM runs on. */
    static HostCommands local() {
        return LocalHostCommands.INSTANCE;
    }
}
