package dev.virtunit.internal.host;

import dev.virtunit.VirtunitException;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A folder on a host, whichever: small files made, read, listed and removed through {@link HostCommands}, each an
 * argument vector ({@code mkdir -p}, {@code ls}, {@code cat}, {@code tee}, {@code mv}, {@code rm}, {@code touch},
 * {@code stat}), so it works the same on this machine and on a remote host over SSH. What virtunit keeps on a remote
 * host lives in one of these: run leases, IP forwarding holders, the classes of the upstream's echo service.
 *
 * @since 0.4
 */
public final class HostFolder {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final HostCommands host;
    private final String path;

    /** {@code path}: an absolute path on that host, without spaces' worries (every path is one argument). */
    public HostFolder(HostCommands host, String path) {
        this.host = Objects.requireNonNull(host, "host");
        if (!path.startsWith("/") || path.contains("/../") || path.endsWith("/..")) {
            throw new IllegalArgumentException("host folder " + path + " must be an absolute path without '..'");
        }
        this.path = path.endsWith("/") && path.length() > 1 ? path.substring(0, path.length() - 1) : path;
    }

    public HostCommands host() {
        return host;
    }

    /** Its path on the host. */
    public String path() {
        return path;
    }

    /** The folder {@code name} inside this one (not made yet). */
    public HostFolder folder(String name) {
        return new HostFolder(host, file(name));
    }

    /** The path of entry {@code name}: one plain name, no slash. */
    public String file(String name) {
        if (name.isEmpty() || name.contains("/") || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("'" + name + "' is no plain file name in " + path);
        }
        return path + "/" + name;
    }

    /** Makes the folder (and its parents) unless it exists. */
    public HostFolder create() {
        check(List.of("mkdir", "-p", path), null, "make folder " + path);
        return this;
    }

    /** The names of its entries, sorted; none when the folder does not exist. */
    public List<String> list() {
        CommandResult result = host.run(TIMEOUT, List.of("ls", "-1A", path));
        if (!result.succeeded()) {
            if (!exists(path)) {
                return List.of();
            }
            throw failed("list folder " + path, result);
        }
        return result.stdout().lines().filter(line -> !line.isBlank()).sorted().toList();
    }

    /** The text of file {@code name}, empty when it does not exist. */
    public Optional<String> read(String name) {
        CommandResult result = host.run(TIMEOUT, List.of("cat", file(name)));
        if (result.succeeded()) {
            return Optional.of(result.stdout());
        }
        if (!exists(file(name))) {
            return Optional.empty();
        }
        throw failed("read " + file(name), result);
    }

    /** Writes file {@code name} whole: into a temporary file first, then renamed over it, so no reader sees half. */
    public void write(String name, String text) {
        write(name, text.getBytes(StandardCharsets.UTF_8));
    }

    /** As {@link #write(String, String)}, for bytes (a class file). */
    public void write(String name, byte[] content) {
        String target = file(name);
        String temporary = target + ".part";
        check(List.of("tee", temporary), content, "write " + target);
        check(List.of("mv", "-f", temporary, target), null, "write " + target);
    }

    /** Sets file {@code name}'s modification time to now (making it if absent): a heartbeat. */
    public void touch(String name) {
        check(List.of("touch", file(name)), null, "touch " + file(name));
    }

    /**
     * How long ago each entry was last modified, by the host's own clock (so clocks of different machines never
     * meet), in whole seconds; entries removed meanwhile are left out.
     */
    public Map<String, Long> ages() {
        List<String> names = list();
        Map<String, Long> ages = new LinkedHashMap<>();
        if (names.isEmpty()) {
            return ages;
        }
        long now = Long.parseLong(check(List.of("date", "+%s"), null, "read the clock").stdout().strip());
        List<String> argv = new ArrayList<>(List.of("stat", "-c", "%Y %n", "--"));
        names.forEach(name -> argv.add(file(name)));
        // Exit 1 when one went meanwhile: the others are still printed.
        for (String line : host.run(TIMEOUT, argv).stdout().lines().toList()) {
            int space = line.indexOf(' ');
            if (space > 0 && line.substring(space + 1).startsWith(path + "/")) {
                ages.put(line.substring(space + 1 + path.length() + 1), now - Long.parseLong(line.substring(0, space)));
            }
        }
        return ages;
    }

    /** Removes entry {@code name} (a file, or a folder with everything in it); nothing when it is absent. */
    public void delete(String name) {
        check(List.of("rm", "-rf", "--", file(name)), null, "remove " + file(name));
    }

    /** Removes the folder with everything in it; nothing when it is absent. */
    public void deleteAll() {
        check(List.of("rm", "-rf", "--", path), null, "remove " + path);
    }

    private boolean exists(String file) {
        return host.run(TIMEOUT, List.of("test", "-e", file)).succeeded();
    }

    private CommandResult check(List<String> argv, byte[] input, String what) {
        CommandResult result = input == null ? host.run(TIMEOUT, argv) : host.run(TIMEOUT, argv, input);
        if (!result.succeeded()) {
            throw failed(what, result);
        }
        return result;
    }

    private VirtunitException failed(String what, CommandResult result) {
        return new VirtunitException("cannot " + what + " on " + host + ": " + String.join(" ", result.argv())
                + " failed with exit code " + result.exitCode() + ": " + result.stderr().strip());
    }

    @Override
    public String toString() {
        return path + " on " + host;
    }
}
