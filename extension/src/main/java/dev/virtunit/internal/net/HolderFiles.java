package dev.virtunit.internal.net;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * Where {@link IpForwarding} counts its holders: a folder of small files, one per lease, and the value found before
 * the first holder, with a lock around each read-modify-write so two processes never both decide they are the last.
 * On this machine a folder under the state directory ({@link LocalHolderFiles}); on a remote host a folder on that
 * host, through its {@code HostCommands} ({@link HostHolderFiles}), so the count lives where the setting does.
 */
interface HolderFiles {

    /** A step run under the lock. */
    interface LockedStep<T> {
        T run() throws IOException;
    }

    /** Runs {@code step} holding the folder's lock (made with the folder if absent). */
    <T> T locked(LockedStep<T> step);

    /** The names of the holder files. */
    List<String> holders() throws IOException;

    /** A holder file's text; empty when it went meanwhile. */
    Optional<String> read(String holder) throws IOException;

    void write(String holder, String text) throws IOException;

    /** Removes a holder file; nothing when it is absent. */
    void delete(String holder) throws IOException;

    /** The value found before the first holder, if saved. */
    Optional<String> original() throws IOException;

    void saveOriginal(String value) throws IOException;

    void deleteOriginal() throws IOException;

    /** Whether several machines meet in it (a remote host's folder), so each holder names its machine. */
    boolean shared();

    /** Where, for messages. */
    String where();
}
