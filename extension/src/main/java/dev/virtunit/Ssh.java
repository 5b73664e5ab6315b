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

    /**
     * Runs {@code command} with the default command timeout. A non-zero exit is a result, not an exception.
     *
     * @return what the command did: exit code, both outputs, duration
     * @param command a shell command line, run by the login shell in the guest
     */
    ExecResult exec(String command);

    /**
     * Runs {@code command}; throws {@link VirtunitException} if it has not exited within {@code timeout}.
     *
     * @return what the command did: exit code, both outputs, duration
     * @param command a shell command line, run by the login shell in the guest
     * @param timeout how long the command may run
     */
    ExecResult exec(String command, Duration timeout);

    /**
     * Copies a local file to {@code remotePath} in the guest over SFTP.
     *
     * @param local the file on this host
     * @param remotePath the path in the guest; an existing file is overwritten
     */
    void upload(Path local, String remotePath);

    /**
     * Copies {@code remotePath} from the guest to a local file over SFTP.
     *
     * @param remotePath the path in the guest
     * @param local the file on this host; an existing file is overwritten
     */
    void download(String remotePath, Path local);

    /** {@return the user logged in as} */
    String user();

    /** {@return the address connected to} */
    String host();

    /** {@return the SSH port connected to, usually 22} */
    int port();

    /**
     * The SHA-256 fingerprint ({@code SHA256:...}, as {@code ssh-keygen -l} prints it) of the host key this login
     * requires: the key virtunit injected through the seed, the one pinned with {@code hostKey}, or the one first
     * accepted for an image without a seed; empty before a first-use key has been seen.
     *
     * @return the fingerprint; empty before a first-use key has been seen
     * @since 0.2
     */
    java.util.Optional<String> hostKeyFingerprint();

    /** {@return a command line a human can paste to log in the same way, e.g. {@code ssh -i /tmp/... root@192.168.77.10}} */
    String commandLine();
}
