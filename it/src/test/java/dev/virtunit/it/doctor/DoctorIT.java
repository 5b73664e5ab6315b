package dev.virtunit.it.doctor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code scripts/doctor} on this very host: it passes here (the host the tests run on is set up), reports every
 * check, and when one thing is broken it fails, names the fix on that line and exits non-zero. It changes nothing,
 * so it can run while other tests use the daemons; the broken thing is faked on its PATH, never done to a daemon.
 */
class DoctorIT {

    private static final Path DOCTOR = Path.of(System.getProperty("user.dir")).getParent().resolve("scripts/doctor");

    private record Outcome(int exitCode, String output) {

        List<String> lines() {
            return output.lines().toList();
        }
    }

    private static Outcome doctor(Map<String, String> environment, String... args) throws IOException, InterruptedException {
        List<String> argv = new java.util.ArrayList<>(List.of(DOCTOR.toString()));
        argv.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true);
        builder.environment().putAll(environment);
        Process process = builder.start();
        process.getOutputStream().close();
        byte[] output = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("doctor finished within 60 s").isTrue();
        return new Outcome(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }

    @Test
    void passesOnThisHostAndReportsEveryCheck() throws Exception {
        Outcome outcome = doctor(Map.of());

        assertThat(outcome.exitCode()).as(outcome.output()).isZero();
        assertThat(outcome.lines()).as(outcome.output()).allMatch(line -> line.matches("(ok|warn|FAIL): .*|doctor: .*"));
        assertThat(outcome.lines()).noneMatch(line -> line.startsWith("FAIL: "));
        // One line at least for each check, in the order --help lists them.
        for (String check : List.of("packages: ", "permissions: ", "virtlogd answers", "libvirtd answers",
                "ovsdb-server answers", "ovs-vswitchd answers", "kvm: ", "ovs datapath: ", "forwarding: ",
                "subnets: ", "image cache: tiny image", "image cache: debian", "disk space (cache)",
                "disk space (state)", "leftovers: ", "guard: ")) {
            assertThat(outcome.lines()).as("a line for %s in%n%s", check, outcome.output())
                    .anyMatch(line -> line.contains(check));
        }
        assertThat(outcome.lines()).filteredOn(line -> line.startsWith("warn: "))
                .allMatch(line -> line.contains(" — "), "every warning says how to fix it");
        assertThat(outcome.lines()).last().asString().matches("doctor: 0 failed, \\d+ warnings");
    }

    /** An ovs-vsctl that cannot reach its database, first on PATH: the daemon check fails and says what to run. */
    @Test
    void failsWithTheFixWhenADaemonDoesNotAnswer(@TempDir Path bin) throws Exception {
        Path fake = bin.resolve("ovs-vsctl");
        Files.writeString(fake, "#!/bin/sh\necho 'ovs-vsctl: unix:/var/run/openvswitch/db.sock: database connection "
                + "failed (No such file or directory)' >&2\nexit 1\n");
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));

        Outcome outcome = doctor(Map.of("PATH", bin + ":" + System.getenv("PATH")));

        assertThat(outcome.exitCode()).as(outcome.output()).isEqualTo(1);
        assertThat(outcome.lines()).as(outcome.output()).containsOnlyOnce(
                "FAIL: ovsdb-server does not answer `ovs-vsctl show`: ovs-vsctl: unix:/var/run/openvswitch/db.sock: "
                        + "database connection failed (No such file or directory) — sudo scripts/setup-host (starts it; "
                        + "never stops anything)");
        assertThat(outcome.lines()).last().asString().matches("doctor: 1 failed, \\d+ warnings");
    }

    /** A cache directory that is a file: the image cache check fails and names the setting to change. */
    @Test
    void failsWhenTheCacheDirectoryIsNoDirectory(@TempDir Path scratch) throws Exception {
        Path notADirectory = Files.writeString(scratch.resolve("cache"), "");

        Outcome outcome = doctor(Map.of("VIRTUNIT_CACHE_DIR", notADirectory.toString()), "--quiet");

        assertThat(outcome.exitCode()).as(outcome.output()).isEqualTo(1);
        assertThat(outcome.lines()).contains("FAIL: image cache: " + notADirectory
                + " is not a directory — remove it, or set VIRTUNIT_CACHE_DIR to a directory");
        assertThat(outcome.lines()).as("--quiet prints no ok lines").noneMatch(line -> line.startsWith("ok: "));
    }

    @Test
    void helpAndBadUsage() throws Exception {
        Outcome help = doctor(Map.of(), "--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.output()).startsWith("Usage: scripts/doctor [--quiet]");

        Outcome bad = doctor(Map.of(), "--fix-everything");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.output()).contains("doctor: unknown option: --fix-everything (see --help)");
    }
}
