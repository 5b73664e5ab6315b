package dev.virtunit.it.speed;

import dev.virtunit.internal.host.CommandResult;
import dev.virtunit.internal.host.HostCommands;
import dev.virtunit.internal.host.HostProcess;
import dev.virtunit.internal.libvirt.Hypervisor;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * Diagnosis only: the wall time of each named phase of a topology's life, and what the host programs and libvirt
 * calls made during it cost (each fork of ip, ovs-vsctl or nft, each libvirt call, with its time). A phase is the
 * one running on the caller's thread; work on other threads (a guest's boot thread) counts toward it too.
 */
final class PhaseClock {

    /** One host command or libvirt call: which phase, what (program and sub-command, or method), how long. */
    record Call(String phase, String kind, String what, long nanos) {
    }

    private volatile String phase = "(none)";
    private final Map<String, Long> wall = new LinkedHashMap<>();
    private final List<Call> calls = new ArrayList<>();

    <T> T time(String name, Supplier<T> step) {
        phase = name;
        long began = System.nanoTime();
        try {
            return step.get();
        } finally {
            synchronized (this) {
                wall.merge(name, System.nanoTime() - began, Long::sum);
            }
            phase = "(between phases)";
        }
    }

    void run(String name, Runnable step) {
        time(name, () -> {
            step.run();
            return null;
        });
    }

    synchronized Map<String, Long> wallNanos() {
        return new LinkedHashMap<>(wall);
    }

    private synchronized void record(String kind, String what, long nanos) {
        calls.add(new Call(phase, kind, what, nanos));
    }

    /** {@code commands} with every run timed and counted toward the phase under way. */
    HostCommands timing(HostCommands commands) {
        PhaseClock clock = this;
        return new HostCommands() {
            @Override
            public CommandResult run(Duration timeout, List<String> argv) {
                long began = System.nanoTime();
                try {
                    return commands.run(timeout, argv);
                } finally {
                    clock.record("host", label(argv), System.nanoTime() - began);
                }
            }

            @Override
            public HostProcess start(List<String> argv) {
                long began = System.nanoTime();
                HostProcess process;
                try {
                    process = commands.start(argv);
                } finally {
                    clock.record("host", "start " + label(argv), System.nanoTime() - began);
                }
                return clock.timing(process, label(argv));
            }
        };
    }

    /** {@code process} with the waits for its end timed (how long a long-running program takes to stop). */
    private HostProcess timing(HostProcess process, String label) {
        return timed(HostProcess.class, process, (method, nanos) -> {
            if (method.equals("waitFor")) {
                record("host", "wait for end of " + label, nanos);
            }
        });
    }

    /** {@code hypervisor} with every call timed and counted toward the phase under way. */
    Hypervisor timing(Hypervisor hypervisor) {
        return timed(Hypervisor.class, hypervisor, (method, nanos) -> record("libvirt", method, nanos));
    }

    /** {@code target} behind its interface {@code type}, each call's method name and time given to {@code onCall}. */
    private static <T> T timed(Class<T> type, T target, BiConsumer<String, Long> onCall) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            long began = System.nanoTime();
            try {
                return method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            } finally {
                onCall.accept(method.getName(), System.nanoTime() - began);
            }
        }));
    }

    /** A program and its sub-command(s), without names or addresses: {@code ip link add}, {@code ovs-vsctl add-br}. */
    static String label(List<String> argv) {
        List<String> words = new ArrayList<>();
        for (String word : argv) {
            if (words.size() == 4 || word.startsWith("vu") || word.matches(".*[0-9]\\..*|/.*")) {
                break;
            }
            words.add(word);
        }
        return String.join(" ", words);
    }

    /** Per phase: wall time, then each kind of call with its count and total time, costliest first. */
    synchronized String breakdown() {
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, Long> entry : wall.entrySet()) {
            String name = entry.getKey();
            List<Call> mine = calls.stream().filter(c -> c.phase().equals(name)).toList();
            long hostCount = mine.stream().filter(c -> c.kind().equals("host")).count();
            long hostNanos = mine.stream().filter(c -> c.kind().equals("host")).mapToLong(Call::nanos).sum();
            long virtCount = mine.stream().filter(c -> c.kind().equals("libvirt")).count();
            long virtNanos = mine.stream().filter(c -> c.kind().equals("libvirt")).mapToLong(Call::nanos).sum();
            out.append(String.format(Locale.ROOT, "  %-28s %7.0f ms   host commands %3d (%5.0f ms)   libvirt calls %3d (%5.0f ms)%n",
                    name, ms(entry.getValue()), hostCount, ms(hostNanos), virtCount, ms(virtNanos)));
            Map<String, long[]> byWhat = new TreeMap<>();
            for (Call call : mine) {
                long[] sum = byWhat.computeIfAbsent(call.kind() + ": " + call.what(), k -> new long[2]);
                sum[0]++;
                sum[1] += call.nanos();
            }
            byWhat.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1]))
                    .forEach(e -> out.append(String.format(Locale.ROOT, "      %-52s x%-3d %6.0f ms%n", e.getKey(),
                            e.getValue()[0], ms(e.getValue()[1]))));
        }
        return out.toString();
    }

    static double ms(long nanos) {
        return nanos / 1e6;
    }
}
