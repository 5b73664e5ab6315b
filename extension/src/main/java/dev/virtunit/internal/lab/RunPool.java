package dev.virtunit.internal.lab;

import dev.virtunit.VirtunitException;
import dev.virtunit.internal.host.FileTrees;
import dev.virtunit.internal.host.HostFiles;
import dev.virtunit.internal.libvirt.Hypervisor;
import dev.virtunit.internal.ssh.SshKeyPair;
import dev.virtunit.internal.text.Xml;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The run's storage pool and SSH client key: a directory under the state directory of the lab's host, a libvirt
 * {@code dir} pool over it for the guests' overlays, seeds and console logs, and the key every guest authorises. The
 * key and the guests' known_hosts files are this JVM's: on this machine they sit in the pool's directory (for a user
 * who wants to log in by hand); for a remote host, in a client directory of this machine,
 * {@code <stateDir>/clients/<pool>}.
 *
 * @param name          the libvirt pool name, {@code vu-<run>-pool}
 * @param dir           the pool's directory on the lab's host
 * @param clientDir     this JVM's directory for the run: {@code dir} on this machine
 * @param clientKey     the run's SSH client key pair
 * @param clientKeyFile the private key, in {@code clientDir}, readable by its owner only
 */
record RunPool(String name, Path dir, Path clientDir, SshKeyPair clientKey, Path clientKeyFile) {

    /**
     * Creates the pool, its directory made through {@code files} (the lab's host's), and writes the key into the
     * client directory, each registered on {@code teardown} before it is made.
     *
     * @param remote whether the lab's host is another machine, whose directory this JVM cannot use for its own files
     */
    static RunPool create(Hypervisor hypervisor, Path stateDir, String run, Teardown teardown, HostFiles files,
                          boolean remote) {
        String name = Names.pool(run);
        Path dir = stateDir.toAbsolutePath().normalize().resolve("pools").resolve(name);
        Path clientDir = remote ? clientDir(stateDir, run) : dir;
        RunPool pool = new RunPool(name, dir, clientDir, SshKeyPair.generateEd25519("virtunit@" + run),
                clientDir.resolve("id_ed25519"));
        teardown.register("pool directory " + dir + " on " + files.where(), () -> files.delete(dir));
        teardown.register("storage pool " + name, () -> hypervisor.removePool(name));
        // libvirt's pool-build would make it too; made here so that the parents exist, whatever the driver.
        try {
            files.createDirectories(dir);
        } catch (VirtunitException e) {
            throw new VirtunitException(e.getMessage() + " (is " + stateDir + " writable there? virtunit runs as root)", e);
        }
        if (remote) {
            teardown.register("client directory " + clientDir, () -> FileTrees.deleteRecursively(clientDir));
            try {
                Files.createDirectories(clientDir);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create " + clientDir + " (is " + stateDir
                        + " writable? virtunit runs as root)", e);
            }
        }
        hypervisor.createPool(pool.toXml());
        pool.writeClientKey();
        return pool;
    }

    /** This JVM's directory of a run on a remote host: its SSH client key and the guests' known_hosts files. */
    static Path clientDir(Path stateDir, String run) {
        return stateDir.resolve("clients").resolve(Names.pool(run));
    }

    String toXml() {
        return Xml.element("pool").attribute("type", "dir")
                .child(Xml.element("name").text(name))
                .child(Xml.element("target")
                        .child(Xml.element("path").text(dir.toString()))
                        .child(Xml.element("permissions").child(Xml.element("mode").text("0711"))))
                .render();
    }

    private void writeClientKey() {
        try {
            Files.writeString(clientKeyFile, clientKey.privateKeyOpenSsh());
            Files.setPosixFilePermissions(clientKeyFile, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the run's SSH key to " + clientKeyFile, e);
        }
    }
}
