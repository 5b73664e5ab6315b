package dev.virtunit.internal.lab;

import dev.virtunit.internal.text.ShellQuoting;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * How a person logs in to a kept guest by hand, with OpenSSH: the key virtunit logs in with, and the host key the
 * seed injected checked from a known_hosts file of the guest's own (so neither a prompt nor the user's
 * ~/.ssh/known_hosts gets in the way).
 *
 * @param user            the login user
 * @param keyFile         the private key to offer: the run's client key, or the image's identity file
 * @param injectedHostKey the host key the seed injected ({@code ssh-ed25519 AAAA... comment}); empty without a seed
 * @param knownHosts      where the known_hosts file goes: beside the console log, in the run's pool
 * @param jumpHost        {@code user@host:port} of the remote host whose guest this is, for {@code ssh -J} (its own
 *                        login is the person's: their key or agent, their known_hosts); empty for a guest here
 */
record ManualLogin(String user, Optional<Path> keyFile, Optional<String> injectedHostKey, Path knownHosts,
                   Optional<String> jumpHost) {

    /** Writes the known_hosts file for the guest's SSH address; without an address or a seed, there is none. */
    void writeKnownHosts(Supplier<String> address) {
        if (injectedHostKey.isEmpty()) {
            return;
        }
        try {
            Files.writeString(knownHosts, address.get() + " " + injectedHostKey.get() + "\n", StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            // No address yet, or an unwritable pool: sshCommand then says to accept the key on first use.
        }
    }

    /** The ssh line and the serial console line that reach guest {@code name}; an address not known yet is said so. */
    String howToReach(String name, Supplier<String> sshAddress, String libvirtUri, Path consoleLog) {
        String address;
        try {
            address = sshAddress.get();
        } catch (RuntimeException e) {
            address = "<no address>";
        }
        return "guest " + name + ": " + sshCommand(address) + "\n    "
                + ShellQuoting.join(List.of("virsh", "-c", libvirtUri, "console", name))
                + "   (console log " + consoleLog + ")";
    }

    /**
     * {@code ssh [-J jumpuser@jumphost:port] -i <key> -o IdentitiesOnly=yes -o UserKnownHostsFile=<file> user@address},
     * quoted to paste.
     */
    String sshCommand(String address) {
        List<String> ssh = new ArrayList<>(List.of("ssh"));
        jumpHost.ifPresent(jump -> ssh.addAll(List.of("-J", jump)));
        keyFile.ifPresent(file -> ssh.addAll(List.of("-i", file.toString(), "-o", "IdentitiesOnly=yes")));
        ssh.addAll(Files.isReadable(knownHosts) ? List.of("-o", "UserKnownHostsFile=" + knownHosts)
                : List.of("-o", "StrictHostKeyChecking=accept-new"));
        ssh.add(user + "@" + address);
        return ShellQuoting.join(ssh);
    }
}
