package dev.virtunit.internal.lab;

import dev.virtunit.internal.ssh.SshRoute;
import dev.virtunit.internal.ssh.SshTarget;
import dev.virtunit.internal.ssh.SshjSsh;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * A guest's SSH logins: one for the configured user and one for each other user a test asked for, all with the same
 * credentials and host key policy ({@link GuestLogin}). A login is made again when the guest's SSH address changes
 * (a new DHCP lease after a restart); all are closed with the guest. Each goes the lab's {@link SshRoute}: from this
 * machine, or through the SSH connection of the remote host the guest runs on.
 */
final class GuestSshSessions {

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);

    private final String configuredUser;
    private final GuestLogin login;
    private final SshRoute route;
    private final Map<String, SshjSsh> byUser = new HashMap<>();
    private String address;

    GuestSshSessions(String configuredUser, GuestLogin login, SshRoute route) {
        this.configuredUser = configuredUser;
        this.login = login;
        this.route = route;
    }

    /** The login as the configured user to the guest at {@code currentAddress}. */
    synchronized SshjSsh configured(String currentAddress) {
        return forUser(configuredUser, currentAddress);
    }

    /** The login as {@code user} to the guest at {@code currentAddress}. */
    synchronized SshjSsh forUser(String user, String currentAddress) {
        login.credentials();   // an image with no login says so before anything connects
        if (!currentAddress.equals(address)) {
            close();
            address = currentAddress;
        }
        return byUser.computeIfAbsent(user, who -> new SshjSsh(new SshTarget(currentAddress, SshTarget.DEFAULT_PORT,
                who, login.credentials(), login.hostKey(), CONNECT_TIMEOUT, COMMAND_TIMEOUT,
                login.keyFileForHumans().orElse(null), route)));
    }

    /** Drops every live connection (reboot, shutdown): the handles stay valid and log in again when next used. */
    synchronized void disconnect() {
        byUser.values().forEach(SshjSsh::disconnect);
    }

    /** Closes every login for good (the guest is removed, or its address changed). */
    synchronized void close() {
        byUser.values().forEach(SshjSsh::close);
        byUser.clear();
    }
}
