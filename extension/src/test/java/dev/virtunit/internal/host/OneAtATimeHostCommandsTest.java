package dev.virtunit.internal.host;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Commands for a remote host whose SSH server cannot take channels side by side: threads calling at once are let
 * through one at a time, plain commands and commands with input alike, and the input reaches the program.
 */
class OneAtATimeHostCommandsTest {

    /** Counts how many calls are inside at once, and stays inside a while so that overlaps would happen. */
    private static final class CountingHost implements HostCommands {
        final AtomicInteger inside = new AtomicInteger();
        final AtomicInteger mostInside = new AtomicInteger();
        final List<String> inputs = new ArrayList<>();

        @Override
        public CommandResult run(Duration timeout, List<String> argv) {
            return enter(argv, "");
        }

        @Override
        public CommandResult run(Duration timeout, List<String> argv, byte[] input) {
            return enter(argv, new String(input, StandardCharsets.UTF_8));
        }

        private CommandResult enter(List<String> argv, String input) {
            mostInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
            for (int i = 0; i < 200; i++) {
                Thread.yield();
            }
            if (!input.isEmpty()) {
                synchronized (inputs) {
                    inputs.add(input);
                }
            }
            inside.decrementAndGet();
            return new CommandResult(argv, 0, "", "", Duration.ZERO);
        }
    }

    @Test
    void callsFromSeveralThreadsGoThroughOneAtATime() throws Exception {
        CountingHost host = new CountingHost();
        HostCommands serial = new OneAtATimeHostCommands(host);
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> calls = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                int n = i;
                calls.add(threads.submit(() -> n % 2 == 0
                        ? serial.check(Duration.ofSeconds(1), List.of("true"))
                        : serial.check(Duration.ofSeconds(1), List.of("nft", "-f", "-"), ("table " + n).getBytes(StandardCharsets.UTF_8))));
            }
            for (Future<?> call : calls) {
                call.get();
            }
        } finally {
            threads.shutdownNow();
        }

        assertThat(host.mostInside).hasValue(1);
        assertThat(host.inputs).hasSize(200).contains("table 1", "table 399");
    }

    @Test
    void aFailureIsTheRemoteHostsOwnNamingTheHost() {
        HostCommands namingItsHost = new HostCommands() {
            @Override
            public CommandResult run(Duration timeout, List<String> argv) {
                return new CommandResult(argv, 1, "", "syntax error", Duration.ZERO);
            }

            @Override
            public CommandResult run(Duration timeout, List<String> argv, byte[] input) {
                return run(timeout, argv);
            }

            @Override
            public CommandResult check(Duration timeout, List<String> argv, byte[] input) {
                throw new CommandFailedException("on root@h2:22: nft -f - failed with exit code 1: syntax error", run(timeout, argv), null);
            }
        };

        assertThatThrownBy(() -> new OneAtATimeHostCommands(namingItsHost)
                .check(Duration.ofSeconds(1), List.of("nft", "-f", "-"), new byte[] {'x'}))
                .hasMessageStartingWith("on root@h2:22: nft -f - failed");
    }
}
