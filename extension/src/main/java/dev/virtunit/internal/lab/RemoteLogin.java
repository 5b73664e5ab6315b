package dev.virtunit.internal.lab;

import dev.virtunit.HostLogin;
import dev.virtunit.InvalidDeclarationException;
import dev.virtunit.LabConfig;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The SSH login of a lab's libvirt host when it is remote, checked before anything is made: whose login
 ({@code virtunit.host.ssh}, else a {@code qemu+ssh://user@host[:port]/...} URI's), with which key (a key file, else
 * the SSH agent) and against which known_hosts file. Every problem names the setting and what to do.
 *
 * @param user        who logs in
 * @param host        the host's name or address
 * @param port        its SSH port
 * @param identity    the private key file; empty: the agent at {@code agentSocket}
 * @param agentSocket the SSH agent's socket, when no key file is given
 * @param knownHosts  the known_hosts file the host key must be listed in
 */
record RemoteLogin(String user, String host, int port, Optional<Path> identity, Optional<Path> agentSocket,
                   Path knownHosts) {

    private static final Set<String> THIS_MACHINE = Set.of("localhost", "127.0.0.1", "::1", "[::1]");
    private static final Pattern LOGIN = Pattern.compile("([^@]+)@([^:]+)(?::(\\d+))?");

    /** {@code user@host:port}, as messages show it. */
    String address() {
        return user + "@" + host + ":" + port;
    }

    /** The host a libvirt URI names when it is not this machine; empty for {@code qemu:///system}, localhost, test:///. */
    static Optional<String> remoteHostOf(String libvirtUri) {
        try {
            String host = new URI(libvirtUri).getHost();
            return host == null || host.isEmpty() || THIS_MACHINE.contains(host.toLowerCase(Locale.ROOT))
                    ? Optional.empty() : Optional.of(host);
        } catch (URISyntaxException e) {
            // libvirt says what is wrong with it when the lab connects
            return Optional.empty();
        }
    }

    /**
     * The login for {@code config}'s host, empty when that host is this machine.
     *
     * @param environment the environment ({@code SSH_AUTH_SOCK}); a parameter so that tests choose it
     * @throws InvalidDeclarationException naming the setting and the remedy when a remote host cannot be logged in to
     */
    static Optional<RemoteLogin> of(LabConfig config, Function<String, String> environment) {
        String uri = config.libvirtUri();
        Optional<String> remote = remoteHostOf(uri);
        if (remote.isEmpty()) {
            return Optional.empty();
        }
        HostLogin settings = config.hostLogin();
        String login = settings.ssh().or(() -> loginInSshUri(uri)).orElseThrow(() -> new InvalidDeclarationException(
                "virtunit.libvirt.uri " + uri + " names the remote host " + remote.get() + ", whose programs and "
                + "files virtunit reaches over SSH, and no SSH login is set: set virtunit.host.ssh=user@host[:port] "
                + "(the key in virtunit.host.identity, or the SSH agent's in $SSH_AUTH_SOCK), or use a "
                + "qemu+ssh://user@host/system URI"));
        Matcher parts = LOGIN.matcher(login);
        if (!parts.matches()) {
            throw new InvalidDeclarationException("virtunit.host.ssh is '" + login + "'; allowed: user@host or "
                    + "user@host:port");
        }
        int port = parts.group(3) == null ? 22 : Integer.parseInt(parts.group(3));
        Optional<Path> agent = Optional.empty();
        if (settings.identity().isPresent()) {
            Path key = settings.identity().get();
            if (!Files.isRegularFile(key) || !Files.isReadable(key)) {
                throw new InvalidDeclarationException("virtunit.host.identity is '" + key + "', which is not a "
                        + "readable file: give the private key file of " + login + ", or unset it to log in with the "
                        + "keys of the SSH agent in $SSH_AUTH_SOCK");
            }
        } else {
            String socket = environment.apply("SSH_AUTH_SOCK");
            if (socket == null || socket.isBlank() || !Files.exists(Path.of(socket))) {
                throw new InvalidDeclarationException("virtunit.host.identity is not set and no SSH agent is there "
                        + "($SSH_AUTH_SOCK is " + (socket == null || socket.isBlank() ? "not set" : "'" + socket
                        + "', which does not exist") + "), so there is no key to log in to " + login + " with: set "
                        + "virtunit.host.identity to the private key file, or start ssh-agent and ssh-add the key");
            }
            agent = Optional.of(Path.of(socket));
        }
        Path knownHosts = settings.knownHosts();
        if (!Files.isReadable(knownHosts)) {
            throw new InvalidDeclarationException("virtunit.host.knownHosts is '" + knownHosts + "', which is not a "
                    + "readable file, and the host key of " + login + " is checked against it: add the host's key "
                    + "(ssh-keyscan -p " + port + " " + parts.group(2) + " >> " + knownHosts + ", after checking its "
                    + "fingerprint) or name the file that lists it");
        }
        return Optional.of(new RemoteLogin(parts.group(1), parts.group(2), port, settings.identity(), agent, knownHosts));
    }

    /** {@code user@host[:port]} of a {@code qemu+ssh://} URI, the user defaulting to this JVM's as ssh does. */
    private static Optional<String> loginInSshUri(String uri) {
        try {
            URI parsed = new URI(uri);
            if (parsed.getScheme() == null || !parsed.getScheme().toLowerCase(Locale.ROOT).endsWith("+ssh")) {
                return Optional.empty();
            }
            String user = parsed.getUserInfo() == null ? System.getProperty("user.name") : parsed.getUserInfo();
            return Optional.of(user + "@" + parsed.getHost() + (parsed.getPort() > 0 ? ":" + parsed.getPort() : ""));
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
    }
}
