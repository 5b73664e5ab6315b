package dev.virtunit;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How virtunit logs in over SSH to a remote libvirt host, to run its programs ({@code ip}, {@code ovs-vsctl},
 * {@code nft}) and handle its files (the run's pool directory, seeds, console logs). Unused when the libvirt URI
 * names this machine.
 *
 * @param ssh        {@code user@host} or {@code user@host:port} ({@code virtunit.host.ssh}); empty: taken from a
 *                   {@code qemu+ssh://user@host[:port]/...} URI
 * @param identity   the private key file ({@code virtunit.host.identity}); empty: the keys of the SSH agent at
 *                   {@code $SSH_AUTH_SOCK}
 * @param knownHosts the known_hosts file listing the host's key ({@code virtunit.host.knownHosts})
 * @see LabConfig#hostLogin()
 * @since 0.4
 */
public record HostLogin(Optional<String> ssh, Optional<Path> identity, Path knownHosts) {

    /** {@code user@host} or {@code user@host:port}: a user and host name of letters, digits, '.', '_', '-'. */
    static final Pattern SSH_LOGIN =
            Pattern.compile("([A-Za-z0-9._][A-Za-z0-9._-]*)@([A-Za-z0-9][A-Za-z0-9.-]*)(?::(\\d{1,5}))?");

    /** No login given (a {@code qemu+ssh} URI's is used), the agent's keys, {@code ~/.ssh/known_hosts}. */
    public static final HostLogin DEFAULT = new HostLogin(Optional.empty(), Optional.empty(),
            Path.of(System.getProperty("user.home"), ".ssh", "known_hosts"));

    /**
     * Checks the form of {@code ssh}.
     *
     * @param ssh        {@code user@host[:port]}, or empty
     * @param identity   the private key file, or empty for the SSH agent
     * @param knownHosts the known_hosts file
     * @throws InvalidDeclarationException when {@code ssh} is not {@code user@host[:port]}
     */
    public HostLogin {
        Objects.requireNonNull(ssh, "ssh");
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(knownHosts, "knownHosts");
        ssh.ifPresent(login -> {
            if (!validLogin(login)) {
                throw new InvalidDeclarationException("virtunit.host.ssh is '" + login + "'; allowed: " + LOGIN_FORMS);
            }
        });
    }

    static final String LOGIN_FORMS = "user@host or user@host:port (port 1 to 65535), as in "
            + "root@kvm1.example:22";

    static boolean validLogin(String login) {
        Matcher matcher = SSH_LOGIN.matcher(login);
        return matcher.matches() && (matcher.group(3) == null
                || (Integer.parseInt(matcher.group(3)) >= 1 && Integer.parseInt(matcher.group(3)) <= 65535));
    }

    /**
     * With this login.
     *
     * @param value {@code user@host} or {@code user@host:port}
     * @return the new login; this one is unchanged
     */
    public HostLogin withSsh(String value) {
        return new HostLogin(Optional.of(value), identity, knownHosts);
    }

    /**
     * Logging in with this private key file instead of the SSH agent.
     *
     * @param value the private key file
     * @return the new login; this one is unchanged
     */
    public HostLogin withIdentity(Path value) {
        return new HostLogin(ssh, Optional.of(value), knownHosts);
    }

    /**
     * Checking the host's key against this known_hosts file.
     *
     * @param value the known_hosts file
     * @return the new login; this one is unchanged
     */
    public HostLogin withKnownHosts(Path value) {
        return new HostLogin(ssh, identity, value);
    }
}

