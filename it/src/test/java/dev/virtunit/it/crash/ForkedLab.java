package dev.virtunit.it.crash;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A forked JVM running {@link CrashingLab} on this JVM's class path, its stdout read line by line. */
final class ForkedLab {

    private static final Duration MARKER_TIMEOUT = CrashingLab.BOOT_TIMEOUT.plusSeconds(30);

    final Process process;
    private final Path log;
    final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> seen = new ArrayList<>();
    String run;

    private ForkedLab(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    static ForkedLab start(List<ForkedLab> children) {
        return start(children, Map.of());
    }

    /** As {@link #start(List)}, with more system properties for the lab ({@code virtunit.libvirt.uri}, ...). */
    static ForkedLab start(List<ForkedLab> children, Map<String, String> properties) {
        try {
            Path log = Files.createTempFile("virtunit-crashing-lab-", ".log");
            List<String> argv = new ArrayList<>(List.of(
                    ProcessHandle.current().info().command().orElse("java"),
                    "-cp", System.getProperty("java.class.path")));
            for (String property : List.of("virtunit.testImage", "virtunit.acceleration", "virtunit.unavailable")) {
                if (System.getProperty(property) != null) {
                    argv.add("-D" + property + "=" + System.getProperty(property));
                }
            }
            properties.forEach((name, value) -> argv.add("-D" + name + "=" + value));
            argv.add(CrashingLab.class.getName());
            Process process = new ProcessBuilder(argv).redirectError(log.toFile()).start();
            ForkedLab child = new ForkedLab(process, log);
            children.add(child);
            Thread reader = new Thread(() -> {
                try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line; (line = out.readLine()) != null; ) {
                        child.lines.add(line);
                    }
                } catch (IOException ended) {
                    // the JVM was killed
                }
            }, "crashing-lab-stdout");
            reader.setDaemon(true);
            reader.start();
            child.run = child.await("run ").substring(4);
            return child;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits for a line starting with {@code marker} and returns it; fails with what the JVM said otherwise. */
    String await(String marker) {
        Instant deadline = Instant.now().plus(MARKER_TIMEOUT);
        try {
            while (Instant.now().isBefore(deadline)) {
                String line = lines.poll(Math.max(1, Duration.between(Instant.now(), deadline).toMillis()),
                        TimeUnit.MILLISECONDS);
                if (line == null) {
                    break;
                }
                seen.add(line);
                if (line.startsWith(marker)) {
                    return line;
                }
                if (line.startsWith("not-answering") || line.startsWith("failed")) {
                    break;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new AssertionError("the forked lab did not print '" + marker + "' (alive: " + process.isAlive()
                + "); it printed " + seen + "; its log " + log + " ends: " + tail());
    }

    void tell(String order) {
        try {
            Writer in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            in.write(order + "\n");
            in.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** SIGKILL ({@link Process#destroyForcibly()} on Linux), and wait for the JVM to be gone. */
    void kill() {
        process.destroyForcibly();
        try {
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("JVM gone after SIGKILL").isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        assertThat(process.exitValue()).as("exit status of a SIGKILLed JVM").isEqualTo(128 + 9);
    }

    String tail() {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - 30), all.size()));
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }
}
