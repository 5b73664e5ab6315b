package dev.virtunit.internal.ssh;

import dev.virtunit.VirtunitException;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.sftp.SFTPClient;
import net.schmizz.sshj.sftp.SFTPException;
import net.schmizz.sshj.xfer.FileSystemFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static dev.virtunit.internal.ssh.SshMessages.describe;

/**
 * Copies files to and from a guest over SFTP on the shared connection, each request bounded by
 * {@link SshTarget#commandTimeout()}. Local paths are checked before anything is sent, and errors name both ends.
 */
final class SftpTransfer {

    private static final Logger LOG = LoggerFactory.getLogger(SftpTransfer.class);

    @FunctionalInterface
    private interface SftpAction {
        void run(SFTPClient sftp) throws IOException;
    }

    private final SshTarget target;
    private final SshConnection connection;

    SftpTransfer(SshTarget target, SshConnection connection) {
        this.target = target;
        this.connection = connection;
    }

    void upload(Path local, String remotePath) {
        String what = "upload " + local + " to " + target.address() + ":" + remotePath;
        if (!Files.exists(local)) {
            throw new VirtunitException("cannot " + what + ": there is no local file " + local);
        }
        transfer(what, sftp -> sftp.put(new FileSystemFile(local.toFile()), remotePath));
    }

    void download(String remotePath, Path local) {
        String what = "download " + target.address() + ":" + remotePath + " to " + local;
        Path localDirectory = local.toAbsolutePath().getParent();
        if (localDirectory != null && !Files.isDirectory(localDirectory)) {
            throw new VirtunitException("cannot " + what + ": there is no local directory " + localDirectory);
        }
        transfer(what, sftp -> sftp.get(remotePath, new FileSystemFile(local.toFile())));
    }

    private void transfer(String what, SftpAction action) {
        SshConnection.Opened<SFTPClient> opened = connection.open(SSHClient::newSFTPClient, what + " (opening SFTP)");
        try (SFTPClient sftp = opened.channel()) {
            sftp.getSFTPEngine().setTimeoutMs(SshLogin.sshjMillis(target.commandTimeout()));
            action.run(sftp);
            LOG.debug("{}: done", what);
        } catch (SFTPException e) {
            // The guest's SFTP server refused, e.g. "No such file" or "Permission denied" about the remote path.
            throw new VirtunitException("cannot " + what + ": the SFTP server says: " + describe(e), e);
        } catch (IOException e) {
            if (!opened.client().isConnected()) {
                connection.discard(opened.client());
            }
            throw new VirtunitException("cannot " + what + ": " + describe(e), e);
        }
    }
}
