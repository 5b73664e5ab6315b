package dev.virtunit;

import dev.virtunit.observe.ExecResult;

import java.nio.file.Path;
import java.time.Duration;

/**
 * An SSH login to a guest, as the configured user, authenticated with the run's key and verifying the host key
 * virtunit injected. Each call connects if needed (also after the guest rebooted).
 *
 * @since 0.1
 */
public interface Ssh {

    /** Runs {@code command} with the default command timeout. A non-zero exit is a result, not an exception. */
    ExecResult exec(String command);

    /** Runs {@code command}; throws {@link VirtunitException} if it has not exited within {@code timeout}. */
    ExecResult exec(String command, Duration timeout);

    /** Copies a local file to {@code remotePath} in the guest over SFTP. */
    void upload(Path local, String remotePath);

    /** Copies {@code remotePath} from the guest to a local file over SFTP. */
    void download(String remotePath, Path local);

    /** The user logged in as. */
    String user();

    /** The address connected to. */
    String host();

    int port();

    /**
     * The SHA-256 fingerprint ({@code SHA256:...}, as {@code ssh-keygen -l} prints it) of the host key this login
     * requires: the key virtunit injected through the seed, the one pinned with {@code hostKey}, or the one first
     * accepted for an image without a seed; empty before a first-use key has been seen.
     *
     * @since 0.2
     */
    java.util.Optional<String> hostKeyFingerprint();

    /** A command line a human can paste to log in the same way, e.g. {@code ssh -i /tmp/... root@192.168.77.10}. */
    String commandLine();
}
