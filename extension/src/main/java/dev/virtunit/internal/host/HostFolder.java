package dev.virtunit.internal.host;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A folder of a host ({@link HostFiles#folder}) and the small files in it, each by its plain name: what virtunit keeps
 * on a host between its programs and runs (run leases, IP forwarding holders, the classes of the upstream's echo
 * service). Whatever it does, the host's {@link HostFiles} carry out: java.nio on this machine, the host's own programs
 * on a remote one.
 *
 * @since 0.4
 */
public final class HostFolder {

    private final HostFiles files;
    private final Path path;

    HostFolder(HostFiles files, Path path) {
        this.files = Objects.requireNonNull(files, "files");
        if (!path.isAbsolute() || !path.normalize().equals(path)) {
            throw new IllegalArgumentException("host folder " + path + " must be an absolute path without '.' or '..'");
        }
        this.path = path;
    }

    /** Its path on the host. */
    public Path path() {
        return path;
    }

    /** Where the folder is, for messages: {@code this machine}, {@code root@kvm1:22}. */
    public String where() {
        return files.where();
    }

    /** The folder {@code name} inside this one (not made yet). */
    public HostFolder folder(String name) {
        return new HostFolder(files, file(name));
    }

    /** The path of entry {@code name}: one plain name, no slash. */
    public Path file(String name) {
        return entry(path, name);
    }

    /**
     * Entry {@code name} of folder {@code dir}, when {@code name} is one plain name: not empty, no slash, neither
     * {@code .} nor {@code ..}, so that it never leaves the folder.
     *
     * @throws IllegalArgumentException naming the name and the folder
     */
    static Path entry(Path dir, String name) {
        if (name.isEmpty() || name.contains("/") || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("'" + name + "' is no plain file name in " + dir);
        }
        return dir.resolve(name);
    }

    /** Makes the folder (and its parents) unless it exists. */
    public HostFolder create() {
        files.createDirectories(path);
        return this;
    }

    /** The names of its entries, sorted; none when the folder does not exist. */
    public List<String> list() {
        return files.list(path);
    }

    /** The text of file {@code name}, empty when it does not exist. */
    public Optional<String> read(String name) {
        return files.readFrom(file(name), 0).map(bytes -> new String(bytes, StandardCharsets.UTF_8));
    }

    /** Writes file {@code name} whole ({@link HostFiles#writeAtomically}), so no reader sees half. */
    public void write(String name, String text) {
        write(name, text.getBytes(StandardCharsets.UTF_8));
    }

    /** As {@link #write(String, String)}, for bytes (a class file). */
    public void write(String name, byte[] content) {
        files.writeAtomically(file(name), content);
    }

    /** Sets file {@code name}'s modification time to now (making it if absent): a heartbeat. */
    public void touch(String name) {
        files.touch(file(name));
    }

    /**
     * How long ago each entry was last modified, by the host's own clock (so clocks of different machines never
     * meet), in whole seconds; entries removed meanwhile are left out.
     */
    public Map<String, Long> ages() {
        return files.ages(path);
    }

    /** Removes entry {@code name} (a file, or a folder with everything in it); nothing when it is absent. */
    public void delete(String name) {
        files.remove(path, name);
    }

    /** Removes the folder with everything in it; nothing when it is absent. */
    public void deleteAll() {
        if (path.getParent() == null) {
            throw new IllegalArgumentException("refusing to remove the root folder of " + where());
        }
        files.remove(path.getParent(), path.getFileName().toString());
    }

    @Override
    public String toString() {
        return path + " on " + where();
    }
}
