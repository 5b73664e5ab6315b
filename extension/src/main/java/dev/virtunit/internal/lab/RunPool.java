package dev.virtunit.internal.lab;

import dev.virtunit.internal.host.FileTrees;
import dev.virtunit.internal.libvirt.Hypervisor;
import dev.virtunit.internal.ssh.SshKeyPair;
import dev.virtunit.internal.text.Xml;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The run's storage pool and SSH client key: a directory under the state directory, a libvirt {@code dir} pool over
 * it for the guests' overlays, seeds and console logs, and the key every guest authorises, written there for a user
 * who wants to log in by hand.
 *
 * @param name          the libvirt pool name, {@code vu-<run>-pool}
 * @param dir           the pool's directory
 * @param clientKey     the run's SSH client key pair
 * @param clientKeyFile the private key, readable by its owner only
 */
record RunPool(String name, Path dir, SshKeyPair clientKey, Path clientKeyFile) {

    /** Creates the pool and writes the key, each registered on {@code teardown} before it is made. */
    static RunPool create(Hypervisor hypervisor, Path stateDir, String run, Teardown teardown) {
        String name = Names.pool(run);
        Path dir = stateDir.resolve("pools").resolve(name);
        RunPool pool = new RunPool(name, dir, SshKeyPair.generateEd25519("virtunit@" + run), dir.resolve("id_ed25519"));
        teardown.register("pool directory " + dir, () -> FileTrees.deleteRecursively(dir));
        teardown.register("storage pool " + name, () -> hypervisor.removePool(name));
        try {
            // libvirt's pool-build would make it too; made here so the key below can be written whatever the driver.
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir.getParent() + " (is " + stateDir
                    + " writable? virtunit runs as root)", e);
        }
        hypervisor.createPool(pool.toXml());
        pool.writeClientKey();
        return pool;
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
