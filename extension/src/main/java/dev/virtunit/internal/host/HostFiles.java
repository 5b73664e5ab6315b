package dev.virtunit.internal.host;

import dev.virtunit.VirtunitException;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * Files on a lab's host: the run's pool directory, the seeds written into it and the console logs QEMU writes there,
 * and, through {@link #folder}, the small files virtunit keeps in a folder there (run leases, IP forwarding holders,
 * shipped classes). On this machine that is java.nio ({@link #local()}); on a remote libvirt host the same operations
 * run as programs through its {@link HostCommands} ({@link #over}), so no shared filesystem is assumed. Files only
 * this JVM uses (the run's SSH client key, a guest's known_hosts file) are not the host's and never go through here.
 *
 * <p>Every failure is a {@link VirtunitException} naming the file and the host.
 *
 * @since 0.4
 */
public interface HostFiles {

    /** A name virtunit gives what it makes, {@code vu-<run>-...}: {@link #delete} deletes only in such a folder. */
    Pattern OWN_NAME = Pattern.compile("vu-[a-z0-9]+-[A-Za-z0-9._-]+");

    /** Creates {@code dir} and its missing parents; nothing to do when it exists. */
    void createDirectories(Path dir);

    /** Writes {@code content} to {@code file}, replacing what was there. */
    void write(Path file, byte[] content);

    /** Writes the content of {@code localFile} (a file of this JVM's machine) to {@code file}, streamed. */
    void copyFrom(Path localFile, Path file);

    /** The bytes of {@code file} from byte {@code offset} on; empty when the file does not exist. */
    Optional<byte[]> readFrom(Path file, long offset);

    /** The size of {@code file} in bytes; empty when it does not exist. */
    OptionalLong size(Path file);

    /** Whether {@code file} exists. */
    default boolean exists(Path file) {
        return size(file).isPresent();
    }

    /**
     * Deletes a file, or a folder with everything in it; nothing to do when it does not exist. Refuses any path that
     * is not one virtunit made ({@link #requireOwn}), so that a wrong argument can never delete anything else.
     */
    default void delete(Path path) {
        Path own = requireOwn(path, where());
        remove(own.getParent(), own.getFileName().toString());
    }

    /** The names of the entries of folder {@code dir}, sorted; none when it does not exist. */
    List<String> list(Path dir);

    /**
     * Writes {@code content} to {@code file} whole: into {@code <file>.part} beside it first, then renamed over it, so
     * that no reader ever sees half of it.
     */
    void writeAtomically(Path file, byte[] content);

    /** Sets {@code file}'s modification time to now, making it empty when it does not exist: a heartbeat. */
    void touch(Path file);

    /**
     * How long ago each entry of folder {@code dir} was last modified, in whole seconds by that host's own clock (so
     * the clocks of different machines never meet); entries removed meanwhile are left out, none when it does not
     * exist.
     */
    Map<String, Long> ages(Path dir);

    /**
     * Removes entry {@code name} of folder {@code dir}, a file or a folder with everything in it; nothing to do when
     * it does not exist. {@code name} is one plain name ({@link HostFolder#entry}): what a {@link HostFolder} removes
     * in a folder its caller chose, where {@link #delete}'s rule of names does not hold (run leases, holders).
     */
    void remove(Path dir, String name);

    /**
     * The folder {@code dir} of this host, for the small files kept there by name; not made yet ({@link
     * HostFolder#create}).
     *
     * @throws IllegalArgumentException when {@code dir} is not absolute or has {@code .} or {@code ..} in it
     */
    default HostFolder folder(Path dir) {
        return new HostFolder(this, dir);
    }

    /** Where these files are, for messages: {@code this machine}, {@code root@kvm1:22}. */
    String where();

    /** The files of the machine this JVM runs on. */
    static HostFiles local() {
        return LocalHostFiles.INSTANCE;
    }

    /**
     * The files of the host {@code commands} run on, {@code where} (for messages: {@code root@kvm1:22}), handled with
     * its programs ({@code mkdir}, {@code dd}, {@code tail}, {@code stat}, {@code date}, {@code ls}, {@code mv},
     * {@code touch}, {@code rm}).
     */
    static HostFiles over(HostCommands commands, String where) {
        return new CommandHostFiles(commands, where);
    }

    /** The files of the host {@code commands} run on, named in messages as those commands name themselves. */
    static HostFiles over(HostCommands commands) {
        return over(commands, commands.toString());
    }

    /**
     * {@code path} if virtunit may delete it: absolute, without {@code .} or {@code ..}, and named
     * {@code vu-<run>-...} or inside a folder so named (the run's pool directory, a guest's seed or console log in
     * it).
     *
     * @throws VirtunitException naming the path and the rule
     */
    static Path requireOwn(Path path, String where) {
        boolean own = path.isAbsolute() && path.normalize().equals(path);
        boolean named = false;
        for (Path name : path) {
            named |= OWN_NAME.matcher(name.toString()).matches();
        }
        if (!own || !named) {
            throw new VirtunitException("refusing to delete " + path + " on " + where + ": virtunit deletes only what "
                    + "it made there, an absolute path without '.' or '..' named vu-<run>-... or inside a folder so "
                    + "named; this is a bug in virtunit, please report it");
        }
        return path;
    }
}
