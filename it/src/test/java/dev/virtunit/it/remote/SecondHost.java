package dev.virtunit.it.remote;

import dev.virtunit.internal.ssh.SshHostCommands;

import dev.virtunit.Acceleration;
import dev.virtunit.HostLogin;
import dev.virtunit.LabConfig;
import dev.virtunit.PoolHost;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The second host {@code scripts/second-host up} made, as its {@code host.properties} describe it; the ITs of this
 * package skip when none is named by {@code -Dvirtunit.secondHost=/var/lib/virtunit-hosts/<NAME>} (or
 * {@code VIRTUNIT_SECOND_HOST}).
 */
public record SecondHost(Properties properties) {

    /** The property (and, upper-cased with underscores, the environment variable) naming the second host's folder. */
    static final String PROPERTY = "virtunit.secondHost";

    /** The second host named for this run; skips the calling test class when there is none. */
    public static SecondHost named() throws IOException {
        String folder = System.getProperty(PROPERTY, System.getenv("VIRTUNIT_SECOND_HOST"));
        assumeTrue(folder != null && !folder.isBlank(), "skipped: no second host; start one with "
                + "scripts/second-host up, then pass -D" + PROPERTY + "=/var/lib/virtunit-hosts/<NAME>");
        Path file = Path.of(folder, "host.properties");
        assumeTrue(Files.isReadable(file), () -> "skipped: " + file + " is missing; is the second host up? "
                + "(scripts/second-host status)");
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file)) {
            properties.load(reader);
        }
        return new SecondHost(properties);
    }

    public String get(String key) {
        return properties.getProperty(key);
    }

    /** Its commands over SSH, logged in already. */
    public SshHostCommands commands() {
        SshHostCommands remote = SshHostCommands.withKeyFile(get("user"), get("address"),
                Integer.parseInt(get("port")), Path.of(get("identityFile")), Path.of(get("knownHosts")));
        remote.connect();
        return remote;
    }

    /** The SSH login a lab on this host uses for its programs and files ({@code virtunit.host.*}). */
    public HostLogin login() {
        return HostLogin.DEFAULT.withSsh(get("user") + "@" + get("address") + ":" + get("port"))
                .withIdentity(Path.of(get("identityFile"))).withKnownHosts(Path.of(get("knownHosts")));
    }

    /** A lab's settings for this host: its libvirt URI and its SSH login, software emulation. */
    public LabConfig labConfig() {
        return LabConfig.fromEnvironment().withLibvirtUri(get("uri")).withAcceleration(Acceleration.TCG)
                .withHostLogin(login());
    }

    /** This host as a host of a pool ({@code virtunit.hosts}), named as {@code scripts/second-host} named it. */
    public PoolHost poolHost() {
        return new PoolHost(get("name"), get("uri"), login(), PoolHost.NO_LIMIT);
    }

    /** A lab's settings for a pool of this machine ({@code local}, the home) and this host, software emulation. */
    public LabConfig poolConfig() {
        return LabConfig.fromEnvironment().withAcceleration(Acceleration.TCG)
                .withHosts(List.of(PoolHost.local(), poolHost()));
    }

    /** The same settings as system properties, for a lab in a forked JVM ({@code Lab.start()} reads them). */
    public Map<String, String> labProperties() {
        return Map.of("virtunit.libvirt.uri", get("uri"),
                "virtunit.host.ssh", get("user") + "@" + get("address") + ":" + get("port"),
                "virtunit.host.identity", get("identityFile"),
                "virtunit.host.knownHosts", get("knownHosts"),
                "virtunit.acceleration", "tcg");
    }
}
