package dev.virtunit.internal.ssh;

import dev.virtunit.VirtunitException;
import net.schmizz.sshj.transport.verification.OpenSSHKnownHosts;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Accepts the host keys an OpenSSH {@code known_hosts} file lists for one host, as {@code ssh} with
 * {@code StrictHostKeyChecking=yes} does: a machine virtunit did not make (a remote libvirt host) has keys of its
 * own, which the user vouched for by putting them there. Hashed names ({@code |1|...}) and {@code [host]:port} are
 * understood (sshj parses the file); {@code @revoked} and {@code @cert-authority} lines never count as a known key.
 * The file is read for each connection attempt, so a key added meanwhile counts. One instance serves one attempt.
 */
final class KnownHostsVerifier extends PresentedKeyVerifier {

    private final Path file;
    private final String host;
    /** The key types and {@code SHA256:...} fingerprints the file lists for the host, in the file's order. */
    private final List<String> types = new ArrayList<>();
    private final Set<String> fingerprints = new LinkedHashSet<>();

    KnownHostsVerifier(Path file, String host, int port) {
        this.file = file;
        this.host = port == SshTarget.DEFAULT_PORT ? host : "[" + host + "]:" + port;
        if (!Files.isReadable(file)) {
            throw new VirtunitException("cannot check the host key of " + this.host + ": known_hosts file " + file
                    + " does not exist or is not readable. Give the file that lists the host's keys (ssh-keyscan "
                    + host + " >> " + file + ", after checking the fingerprints with the host's owner)");
        }
        try {
            for (OpenSSHKnownHosts.KnownHostEntry entry : new OpenSSHKnownHosts(file.toFile(),
                    new QuietSshjLoggers()).entries()) {
                String[] fields = entry.getLine().trim().split("\\s+");
                // "[marker] hosts type base64 [comment]": a marked line revokes or certifies, it vouches for no key
                if (fields.length < 3 || fields[0].startsWith("@") || !entry.appliesTo(this.host)) {
                    continue;
                }
                types.add(fields[1]);
                fingerprints.add(SshKeyPair.sha256Fingerprint(Base64.getDecoder().decode(fields[2])));
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new VirtunitException("cannot read known_hosts file " + file + " to check the host key of "
                    + this.host + ": " + e.getMessage(), e);
        }
    }

    /** The key types the file knows for this host: the server is asked for one of those first, as ssh does. */
    @Override
    public List<String> findExistingAlgorithms(String hostname, int port) {
        return List.copyOf(new LinkedHashSet<>(types));
    }

    @Override
    boolean accepts(String type, String fingerprint) {
        return fingerprints.stream().anyMatch(known -> sameFingerprint(known, fingerprint));
    }

    @Override
    VirtunitException mismatch(String hostPort, Throwable cause) {
        if (fingerprints.isEmpty()) {
            return new HostKeyRejectedException("host key of " + hostPort + " is unknown: known_hosts file " + file
                    + " lists no key for " + host + " (the server presented " + presented() + "). Add the host's key "
                    + "to that file once you have checked its fingerprint, e.g. ssh-keyscan, or log in once with ssh",
                    cause);
        }
        return new HostKeyRejectedException("host key mismatch for " + hostPort + ": known_hosts file " + file
                + " lists " + String.join(", ", fingerprints) + " for " + host + " but the server presented "
                + presented() + ". Another machine answers on that address, or the host's keys were made anew: ask "
                + "its owner before replacing the line in " + file, cause);
    }
}
