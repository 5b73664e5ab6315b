package dev.virtunit.internal.host;

import dev.virtunit.internal.text.ShellQuoting;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A fake host for unit tests: records every argument vector in order (those run and those started), answers from
 * rules (argv prefix to exit code, stdout and stderr; a one-shot rule first, then the newest matching rule; without
 * one, exit 0 and no output), and fails on demand: the k-th command, or the first command matching a prefix. That is the
 * fault-injection seam for orchestration tests: fail step k, then assert that the undo of steps 1..k-1 was issued.
 *
 * <p>Long-running programs ({@link #start}) are {@link FakeProcess}es printing what a rule says and running until
 * their input is closed or they are signalled.
 */
public final class RecordingHostCommands implements HostCommands {

    /** The stderr of an injected failure, so a test can tell it from a scripted one. */
    public static final String INJECTED = "injected failure";

    private record Rule(List<String> prefix, int exitCode, String stdout, String stderr) {
    }

    private final List<List<String>> commands = new ArrayList<>();
    private final List<Rule> rules = new ArrayList<>();
    private final List<Rule> onceRules = new ArrayList<>();
    private final List<Rule> startRules = new ArrayList<>();
    private final List<FakeProcess> started = new ArrayList<>();
    private final List<String> inputs = new ArrayList<>();
    private final List<Exit> exits = new ArrayList<>();
    private int failAt = -1;
    private List<String> failFirst;

    /** Answers commands starting with {@code prefix} with {@code exitCode}, {@code stdout} and {@code stderr}. */
    public synchronized RecordingHostCommands answer(List<String> prefix, int exitCode, String stdout, String stderr) {
        rules.add(new Rule(List.copyOf(prefix), exitCode, stdout, stderr));
        return this;
    }

    /** Answers commands starting with {@code prefix} with exit 0 and {@code stdout}. */
    public RecordingHostCommands answer(List<String> prefix, String stdout) {
        return answer(prefix, 0, stdout, "");
    }

    /**
     * Answers the next command starting with {@code prefix} with exit 0 and {@code stdout}, once; then the other rules
     * apply again. For state that changes: processes that end, a link that appears.
     */
    public synchronized RecordingHostCommands answerOnce(List<String> prefix, String stdout) {
        onceRules.add(new Rule(List.copyOf(prefix), 0, stdout, ""));
        return this;
    }

    /** As {@link #answerOnce(List, String)}, with {@code exitCode} and {@code stderr}: a failure that happens once. */
    public synchronized RecordingHostCommands answerOnce(List<String> prefix, int exitCode, String stdout, String stderr) {
        onceRules.add(new Rule(List.copyOf(prefix), exitCode, stdout, stderr));
        return this;
    }

    /** Programs started with {@code prefix} print {@code stdout} and then keep running. */
    public synchronized RecordingHostCommands startedPrints(List<String> prefix, String stdout) {
        startRules.add(new Rule(List.copyOf(prefix), 0, stdout, ""));
        return this;
    }

    /**
     * Programs started with {@code prefix} print {@code stdout} and {@code stderr} and exit with {@code exitCode}: by
     * themselves at once when {@code endsByItself} (a {@code tail} of a file), else at end of input (a {@code dd}).
     */
    public synchronized RecordingHostCommands startedExits(List<String> prefix, int exitCode, String stdout,
                                                           String stderr, boolean endsByItself) {
        exits.add(new Exit(List.copyOf(prefix), exitCode, stdout, stderr, endsByItself));
        return this;
    }

    private record Exit(List<String> prefix, int exitCode, String stdout, String stderr, boolean endsByItself) {
    }

    /** The {@code k}-th command from now on (1 = the next one, counting run and start alike) fails. */
    public synchronized RecordingHostCommands failCommand(int k) {
        failAt = commands.size() + k;
        return this;
    }

    /** The first command from now on that starts with {@code prefix} fails. */
    public synchronized RecordingHostCommands failFirst(List<String> prefix) {
        failFirst = List.copyOf(prefix);
        return this;
    }

    @Override
    public synchronized CommandResult run(Duration timeout, List<String> argv) {
        List<String> copy = List.copyOf(argv);
        if (injectFailure(copy)) {
            return new CommandResult(copy, 1, "", INJECTED, Duration.ZERO);
        }
        Rule rule = match(onceRules, copy);
        if (rule != null) {
            onceRules.remove(rule);
        } else {
            rule = match(rules, copy);
        }
        return rule == null ? new CommandResult(copy, 0, "", "", Duration.ZERO)
                : new CommandResult(copy, rule.exitCode(), rule.stdout(), rule.stderr(), Duration.ZERO);
    }

    /** Records {@code argv} and its {@code input} ({@link #inputs()}) and answers as {@link #run(Duration, List)}. */
    @Override
    public synchronized CommandResult run(Duration timeout, List<String> argv, byte[] input) {
        inputs.add(new String(input, StandardCharsets.UTF_8));
        return run(timeout, argv);
    }

    @Override
    public synchronized HostProcess start(List<String> argv) {
        List<String> copy = List.copyOf(argv);
        if (injectFailure(copy)) {
            throw new CommandFailedException("cannot start " + ShellQuoting.join(copy) + ": " + INJECTED, null, null);
        }
        Exit exit = null;
        for (Exit candidate : exits) {
            if (startsWith(copy, candidate.prefix())) {
                exit = candidate;
            }
        }
        Rule rule = match(startRules, copy);
        FakeProcess process = exit != null
                ? new FakeProcess(copy, 1000 + started.size(), exit.stdout(), exit.stderr(), exit.exitCode())
                : new FakeProcess(copy, 1000 + started.size(), rule == null ? "" : rule.stdout());
        if (exit != null && exit.endsByItself()) {
            process.end(exit.exitCode());
        }
        started.add(process);
        return process;
    }

    /** Records {@code argv} and tells whether it is the one to fail. */
    private boolean injectFailure(List<String> argv) {
        commands.add(argv);
        if (commands.size() == failAt) {
            return true;
        }
        if (failFirst != null && startsWith(argv, failFirst)) {
            failFirst = null;
            return true;
        }
        return false;
    }

    private static Rule match(List<Rule> candidates, List<String> argv) {
        for (int i = candidates.size() - 1; i >= 0; i--) {
            if (startsWith(argv, candidates.get(i).prefix())) {
                return candidates.get(i);
            }
        }
        return null;
    }

    private static boolean startsWith(List<String> argv, List<String> prefix) {
        return argv.size() >= prefix.size() && argv.subList(0, prefix.size()).equals(prefix);
    }

    /** Every argument vector so far, oldest first. */
    public synchronized List<List<String>> commands() {
        return List.copyOf(commands);
    }

    /** The input of every command run with one ({@link #run(Duration, List, byte[])}), oldest first. */
    public synchronized List<String> inputs() {
        return List.copyOf(inputs);
    }

    /** Every command so far as a human would type it, oldest first: the easiest form to assert on. */
    public synchronized List<String> rendered() {
        return commands.stream().map(ShellQuoting::join).toList();
    }

    /** The rendered commands starting with {@code program} (say {@code "ovs-vsctl"}), oldest first. */
    public synchronized List<String> rendered(String program) {
        return commands.stream().filter(argv -> argv.get(0).equals(program)).map(ShellQuoting::join).toList();
    }

    /** The programs started so far, oldest first. */
    public synchronized List<FakeProcess> started() {
        return List.copyOf(started);
    }

    /** A started program: prints its scripted stdout, then runs until its input closes or it is signalled. */
    public static final class FakeProcess implements HostProcess {
        private final List<String> argv;
        private final long pid;
        private final InputStream stdout;
        private final InputStream stderr;
        private final CountDownLatch ended = new CountDownLatch(1);
        private volatile int exitCode = -1;
        private volatile boolean inputClosed;
        private final ByteArrayOutputStream input = new ByteArrayOutputStream();
        /** The exit code at end of input: 0, or what a rule of {@link #startedExits} says. */
        private final int exitAtEndOfInput;

        FakeProcess(List<String> argv, long pid, String stdout) {
            this(argv, pid, stdout, "");
        }

        /** A program that also prints {@code stderr} (tcpdump says "listening on" there). */
        FakeProcess(List<String> argv, long pid, String stdout, String stderr) {
            this(argv, pid, stdout, stderr, 0);
        }

        FakeProcess(List<String> argv, long pid, String stdout, String stderr, int exitAtEndOfInput) {
            this.argv = argv;
            this.pid = pid;
            this.stdout = new ByteArrayInputStream(stdout.getBytes(StandardCharsets.UTF_8));
            this.stderr = new ByteArrayInputStream(stderr.getBytes(StandardCharsets.UTF_8));
            this.exitAtEndOfInput = exitAtEndOfInput;
        }

        /** Its stdin: what was written to it is {@link #input()}; closing it is end of input. */
        @Override
        public OutputStream stdin() {
            return new OutputStream() {
                @Override
                public void write(int b) {
                    input.write(b);
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    input.write(b, off, len);
                }

                @Override
                public void close() {
                    closeInput();
                }
            };
        }

        /** Everything written to its stdin. */
        public byte[] input() {
            return input.toByteArray();
        }

        @Override
        public List<String> argv() {
            return argv;
        }

        @Override
        public long pid() {
            return pid;
        }

        @Override
        public InputStream stdout() {
            return stdout;
        }

        @Override
        public InputStream stderr() {
            return stderr;
        }

        @Override
        public void closeInput() {
            inputClosed = true;
            end(exitAtEndOfInput);
        }

        /** Whether its stdin was closed: how our servers are asked to stop. */
        public boolean inputClosed() {
            return inputClosed;
        }

        @Override
        public boolean isAlive() {
            return ended.getCount() > 0;
        }

        @Override
        public OptionalInt exitCode() {
            return isAlive() ? OptionalInt.empty() : OptionalInt.of(exitCode);
        }

        @Override
        public boolean waitFor(Duration timeout) throws InterruptedException {
            return ended.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }

        @Override
        public void terminate() {
            end(143);
        }

        @Override
        public void kill() {
            end(137);
        }

        synchronized void end(int code) {
            if (isAlive()) {
                exitCode = code;
                ended.countDown();
            }
        }
    }
}
