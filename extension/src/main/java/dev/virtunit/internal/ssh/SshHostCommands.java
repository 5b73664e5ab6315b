package dev.virtunit.internal.ssh;

import dev.virtunit.VirtunitException;
import dev.virtunit.internal.host.CommandFailedException;
import dev.virtunit.internal.host.CommandResult;
import dev.virtunit.internal.host.HostCommands;
import dev.virtunit.internal.host.HostProcess;
import dev.virtunit.internal.text.ShellQuoting;
import dev.virtunit.observe.ExecResult;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * {@link HostCommands} on another machine, over one SSH connection: what a lab does to a remote libvirt host's
 * networking ({@code ip}, {@code ovs-vsctl}, {@code nft}, namespaces, the upstream's echo service) goes through here,
 * the same seam as on this machine. Each argument vector is quoted into one command line with
 * {@link ShellQuoting} (SSH carries a string, which the remote login shell splits back into the same words), run in a
 * channel of the shared connection with a deadline, both outputs read together; a command that outlives its timeout
 * is killed on the host with everything it started ({@link SshCommandRunner}). The host key is checked (a
 * {@code known_hosts} file for a machine virtunit did not make) and every message names the host.
 *
 * <p>Logged in as a user who may run those programs: root, as on this machine (virtunit runs them without sudo).
 *
 * @since 0.3
 */
public final class SshHostCommands implements HostCommands, AutoCloseable {

    /** Exit code of a POSIX shell whose command was not found. */
    private static final int NOT_FOUND = 127;

    private final SshTarget target;
    private final SshConnection connection;
    private final SshCommandRunner runner;
    private final SshJump jump;

    /** Commands on {@code target}; nothing connects before the first command. */
    public SshHostCommands(SshTarget target) {
        this.target = target;
        this.connection = new SshConnection(target);
        this.runner = new SshCommandRunner(target, connection);
        this.jump = new SshJump(target, connection);
    }

    /**
     * Commands on {@code user@host:port}, logging in with the private key in {@code identityFile} and accepting the
     * host keys {@code knownHosts} lists for that host and port.
     */
    public static SshHostCommands withKeyFile(String user, String host, int port, Path identityFile, Path knownHosts) {
        return new SshHostCommands(new SshTarget(host, port, user,
                SshCredentials.ofImage(Optional.of(identityFile), Optional.empty()),
                HostKeyPolicy.knownHosts(knownHosts, host, port), SshTarget.DEFAULT_CONNECT_TIMEOUT,
                SshTarget.DEFAULT_COMMAND_TIMEOUT, identityFile));
    }

    /**
     * Commands on {@code user@host:port}, logging in with the keys of the SSH agent listening on {@code agentSocket}
     * (the user's {@code $SSH_AUTH_SOCK}) and accepting the host keys {@code knownHosts} lists for that host and port.
     */
    public static SshHostCommands withAgent(String user, String host, int port, Path agentSocket, Path knownHosts) {
        return new SshHostCommands(new SshTarget(host, port, user, SshCredentials.agent(agentSocket),
                HostKeyPolicy.knownHosts(knownHosts, host, port), SshTarget.DEFAULT_CONNECT_TIMEOUT,
                SshTarget.DEFAULT_COMMAND_TIMEOUT, null));
    }

    /** Where the commands run: {@code user@host:port}. */
    public String address() {
        return target.address();
    }

    /**
     * TCP streams from this host over the same connection as its commands: how the test reaches the guests on the
     * host's bridges ({@link SshRoute#via(SshJump)}) and probes their ports. Closing these commands ends them too.
     *
     * @since 0.4
     */
    public SshJump jump() {
        return jump;
    }

    /** Logs in now unless already logged in, so that a wrong key or host key shows before the first command. */
    public void connect() {
        try {
            connection.connect();
        } catch (VirtunitException e) {
            throw new CommandFailedException("cannot log in to " + address() + ": " + e.getMessage(), null, e);
        }
    }

    @Override
    public CommandResult run(Duration timeout, List<String> argv) {
        return run(timeout, argv, null);
    }

    /** {@code input} null: end of input at once, like {@code ssh host cmd < /dev/null}. */
    @Override
    public CommandResult run(Duration timeout, List<String> argv, byte[] input) {
        String line = commandLine(argv);
        ExecResult result;
        try {
            result = runner.run(line, input, timeout);
        } catch (VirtunitException e) {
            throw new CommandFailedException(e.getMessage(), null, e);
        }
        // 127 is also what the shell says when the program is missing: that is a program that cannot be started,
        // as on this machine, and deserves its own message; a program that itself exits 127 stays a result.
        if (result.exitCode() == NOT_FOUND && !installed(argv.get(0), timeout)) {
            throw notInstalled(line, argv.get(0), result.stderr());
        }
        return new CommandResult(argv, result.exitCode(), result.stdout(), result.stderr(), result.duration());
    }

    /** Like {@link HostCommands#check}, with the host in the message: the same command may run on several. */
    @Override
    public CommandResult check(Duration timeout, List<String> argv) {
        return check(timeout, argv, null);
    }

    /** Like {@link HostCommands#check(Duration, List, byte[])}, with the host in the message. */
    @Override
    public CommandResult check(Duration timeout, List<String> argv, byte[] input) {
        CommandResult result = run(timeout, argv, input);
        if (!result.succeeded()) {
            throw new CommandFailedException("on " + address() + ": "
                    + CommandFailedException.exited(result).getMessage(), result, null);
        }
        return result;
    }

    /**
     * Starts {@code argv} on the host in a channel of its own and returns once it runs there. Its stdin is the
     * channel: {@link HostProcess#closeInput()} sends end of input, and when this JVM dies the connection goes and
     * the program sees end of input too. {@link HostProcess#pid()} is its process id on the host.
     */
    @Override
    public HostProcess start(List<String> argv) {
        String line = commandLine(argv);
        try {
            return SshHostProcess.start(target, connection, runner, argv, line);
        } catch (SshHostProcess.NotFound e) {
            throw notInstalled(line, argv.get(0), e.getMessage());
        } catch (CommandFailedException e) {
            throw e;
        } catch (VirtunitException e) {
            throw new CommandFailedException("cannot start " + line + " on " + address() + ": " + e.getMessage(),
                    null, e);
        }
    }

    private boolean installed(String program, Duration timeout) {
        try {
            return runner.run("command -v " + ShellQuoting.quote(program), timeout).succeeded();
        } catch (VirtunitException e) {
            return true;   // cannot tell: the exit code stands as the program's own
        }
    }

    private CommandFailedException notInstalled(String line, String program, String stderr) {
        return new CommandFailedException("cannot start " + line + " on " + address() + ": " + program + " was not "
                + "found there (" + stderr.strip() + "). Install it on that host, or check the PATH of "
                + target.user() + "'s login there", null, null);
    }

    private String commandLine(List<String> argv) {
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("no command to run on " + address() + ": the argument vector is empty");
        }
        return ShellQuoting.join(argv);
    }

    /** Disconnects; processes still running from {@link #start} see end of input. */
    @Override
    public void close() {
        connection.close();
    }

    @Override
    public String toString() {
        return "SshHostCommands[" + address() + "]";
    }
}
