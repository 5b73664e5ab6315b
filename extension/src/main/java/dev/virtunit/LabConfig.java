package dev.virtunit;

import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Settings every guest of a lab shares. Each comes from, first found wins: a system property, an environment
 * variable, a JUnit configuration parameter ({@code junit-platform.properties}), the default.
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>property</th><th>environment</th><th>default</th></tr>
 *   <tr><td>{@code virtunit.libvirt.uri}</td><td>{@code VIRTUNIT_LIBVIRT_URI}</td><td>{@code qemu:///system}</td></tr>
 *   <tr><td>{@code virtunit.acceleration}</td><td>{@code VIRTUNIT_ACCELERATION}</td><td>{@code auto} ({@code kvm}, {@code tcg})</td></tr>
 *   <tr><td>{@code virtunit.cleanup}</td><td>{@code VIRTUNIT_CLEANUP}</td><td>{@code always} ({@code on-success}, {@code never})</td></tr>
 *   <tr><td>{@code virtunit.boot.timeout}</td><td>{@code VIRTUNIT_BOOT_TIMEOUT}</td><td>{@code 120} seconds (or ISO-8601, {@code PT2M})</td></tr>
 *   <tr><td>{@code virtunit.state.dir}</td><td>{@code VIRTUNIT_STATE_DIR}</td><td>{@code /var/lib/virtunit} (pools, run records, keys)</td></tr>
 *   <tr><td>{@code virtunit.cache.dir}</td><td>{@code VIRTUNIT_CACHE_DIR}</td><td>{@code /var/cache/virtunit} (images, the KVM probe's answer)</td></tr>
 *   <tr><td>{@code virtunit.unavailable}</td><td>{@code VIRTUNIT_UNAVAILABLE}</td><td>{@code skip} ({@code fail}): when the host cannot run guests</td></tr>
 *   <tr><td>{@code virtunit.firstboot.cache}</td><td>{@code VIRTUNIT_FIRSTBOOT_CACHE}</td><td>{@code off} ({@code on}): start
 *       cloud-init guests of a disk image from a disk that went through the image's first boot once</td></tr>
 *   <tr><td>{@code virtunit.keep.ttl}</td><td>{@code VIRTUNIT_KEEP_TTL}</td><td>{@code PT24H}: how long what cleanup
 *       {@code on-success} or {@code never} kept stays before a later run's sweep removes it</td></tr>
 *   <tr><td>{@code virtunit.boot.concurrency}</td><td>{@code VIRTUNIT_BOOT_CONCURRENCY}</td><td>the host's cores: how
 *       many guests of this JVM boot at once; the others wait their turn</td></tr>
 *   <tr><td>{@code virtunit.host.ssh}</td><td>{@code VIRTUNIT_HOST_SSH}</td><td>from a {@code qemu+ssh://user@host[:port]/...}
 *       URI: the SSH login ({@code user@host[:port]}) of a remote libvirt host, for its programs and files</td></tr>
 *   <tr><td>{@code virtunit.host.identity}</td><td>{@code VIRTUNIT_HOST_IDENTITY}</td><td>the SSH agent
 *       ({@code $SSH_AUTH_SOCK}): the private key file of that login</td></tr>
 *   <tr><td>{@code virtunit.host.knownHosts}</td><td>{@code VIRTUNIT_HOST_KNOWNHOSTS}</td><td>{@code ~/.ssh/known_hosts}:
 *       the host keys that remote host may show</td></tr>
 *   <tr><td>{@code virtunit.hosts}</td><td>{@code VIRTUNIT_HOSTS}</td><td>none: a pool of libvirt hosts the lab spreads
 *       its guests over, by name ({@code local,kvm1}, each with {@code virtunit.host.<name>.uri}, {@code .ssh},
 *       {@code .identity}, {@code .knownHosts}, {@code .maxGuests}) or by URI; the first is the home of bridges' NAT
 *       and upstreams ({@link PoolHost})</td></tr>
 *   <tr><td>{@code virtunit.hosts.maxGuests}</td><td>{@code VIRTUNIT_HOSTS_MAXGUESTS}</td><td>no limit: how many of the
 *       lab's guests each pool host runs at once; more wait for one to go</td></tr>
 * </table>
 *
 * <p>A URI naming no host, or {@code localhost}, is this machine; any other host is remote, and then
 * {@link #hostLogin()} says how virtunit logs in to it over SSH (a remote lab needs one).
 *
 * @param libvirtUri    the libvirt connection URI
 * @param acceleration  KVM, software emulation, or proven-KVM-else-TCG
 * @param cleanup       when to remove what was created
 * @param bootTimeout   how long a guest may take to become ready
 * @param stateDir      where virtunit keeps pools, run records and keys
 * @param cacheDir      where virtunit caches images and what it learned about the host
 * @param failWhenUnavailable whether a host that cannot run guests fails the tests instead of skipping them
 * @param firstBootCache whether NoCloud-seeded guests of a disk image with cloud-init start from a cached disk that
 *                      went through the image's first boot once (warmed on first use, each guest still gets its own
 *                      instance-id, host key, hostname, addresses and machine-id); since 0.2
 * @param keepTtl       how long kept resources (cleanup {@code on-success} after a failure, or {@code never}) stay
 *                      before a later run's sweep removes them; since 0.2
 * @param bootConcurrency how many guests of this JVM boot at once (from start to ready); the others queue, so that a
 *                      small host is not overrun and boot timeouts stay honest; since 0.2
 * @param hostLogin     the SSH login of a remote libvirt host ({@code virtunit.host.*}); unused for this machine;
 *                      since 0.4
 * @param hosts         the pool of libvirt hosts ({@code virtunit.hosts}); empty: the one host of {@code libvirtUri};
 *                      since 0.4
 * @since 0.1
 */
public record LabConfig(String libvirtUri, Acceleration acceleration, CleanupMode cleanup, Duration bootTimeout,
                        Path stateDir, Path cacheDir, boolean failWhenUnavailable, boolean firstBootCache,
                        Duration keepTtl, int bootConcurrency, HostLogin hostLogin, List<PoolHost> hosts) {

    /**
     * Checks that no component is null and that {@code bootConcurrency} is at least 1.
     *
     * @param libvirtUri    the libvirt connection URI
     * @param acceleration  KVM, software emulation, or proven-KVM-else-TCG
     * @param cleanup       when to remove what was created
     * @param bootTimeout   how long a guest may take to become ready
     * @param stateDir      where virtunit keeps pools, run records and keys
     * @param cacheDir      where virtunit caches images and what it learned about the host
     * @param failWhenUnavailable whether a host that cannot run guests fails the tests instead of skipping them
     * @param firstBootCache whether NoCloud-seeded guests of a disk image with cloud-init start from a cached disk that went through the image's first boot once (warmed on first use, each guest still gets its own instance-id, host key, hostname, addresses and machine-id); since 0.2
     * @param keepTtl       how long kept resources (cleanup {@code on-success} after a failure, or {@code never}) stay before a later run's sweep removes them; since 0.2
     * @param bootConcurrency how many guests of this JVM boot at once (from start to ready); the others queue, so that a small host is not overrun and boot timeouts stay honest; since 0.2
     * @param hostLogin     the SSH login of a remote libvirt host; since 0.4
     * @param hosts         the pool of libvirt hosts, empty for one host; since 0.4
     * @throws InvalidDeclarationException when {@code bootConcurrency} is below 1
     */
    public LabConfig {
        Objects.requireNonNull(libvirtUri, "libvirtUri");
        Objects.requireNonNull(acceleration, "acceleration");
        Objects.requireNonNull(cleanup, "cleanup");
        Objects.requireNonNull(bootTimeout, "bootTimeout");
        Objects.requireNonNull(stateDir, "stateDir");
        Objects.requireNonNull(cacheDir, "cacheDir");
        Objects.requireNonNull(keepTtl, "keepTtl");
        Objects.requireNonNull(hostLogin, "hostLogin");
        hosts = List.copyOf(hosts);
        if (bootConcurrency < 1) {
            throw new InvalidDeclarationException("bootConcurrency is " + bootConcurrency + "; allowed: 1 or more");
        }
    }

    /**
     * The settings of 0.3, with {@link HostLogin#DEFAULT}: no SSH login given (a {@code qemu+ssh} URI's is taken).
     *
     * @param libvirtUri    the libvirt connection URI
     * @param acceleration  KVM, software emulation, or proven-KVM-else-TCG
     * @param cleanup       when to remove what was created
     * @param bootTimeout   how long a guest may take to become ready
     * @param stateDir      where virtunit keeps pools, run records and keys
     * @param cacheDir      where virtunit caches images and what it learned about the host
     * @param failWhenUnavailable whether a host that cannot run guests fails the tests instead of skipping them
     * @param firstBootCache whether guests may start from a warmed first-boot base
     * @param keepTtl       how long kept resources stay before a later run's sweep removes them
     * @param bootConcurrency how many guests of this JVM boot at once
     * @throws InvalidDeclarationException when {@code bootConcurrency} is below 1
     */
    public LabConfig(String libvirtUri, Acceleration acceleration, CleanupMode cleanup, Duration bootTimeout,
                     Path stateDir, Path cacheDir, boolean failWhenUnavailable, boolean firstBootCache,
                     Duration keepTtl, int bootConcurrency) {
        this(libvirtUri, acceleration, cleanup, bootTimeout, stateDir, cacheDir, failWhenUnavailable, firstBootCache,
                keepTtl, bootConcurrency, HostLogin.DEFAULT, List.of());
    }

    /**
     * The settings of 0.4's first step: one host, with its SSH login.
     *
     * @param libvirtUri    the libvirt connection URI
     * @param acceleration  KVM, software emulation, or proven-KVM-else-TCG
     * @param cleanup       when to remove what was created
     * @param bootTimeout   how long a guest may take to become ready
     * @param stateDir      where virtunit keeps pools, run records and keys
     * @param cacheDir      where virtunit caches images and what it learned about the host
     * @param failWhenUnavailable whether a host that cannot run guests fails the tests instead of skipping them
     * @param firstBootCache whether guests may start from a warmed first-boot base
     * @param keepTtl       how long kept resources stay before a later run's sweep removes them
     * @param bootConcurrency how many guests of this JVM boot at once
     * @param hostLogin     the SSH login of a remote libvirt host
     * @throws InvalidDeclarationException when {@code bootConcurrency} is below 1
     */
    public LabConfig(String libvirtUri, Acceleration acceleration, CleanupMode cleanup, Duration bootTimeout,
                     Path stateDir, Path cacheDir, boolean failWhenUnavailable, boolean firstBootCache,
                     Duration keepTtl, int bootConcurrency, HostLogin hostLogin) {
        this(libvirtUri, acceleration, cleanup, bootTimeout, stateDir, cacheDir, failWhenUnavailable, firstBootCache,
                keepTtl, bootConcurrency, hostLogin, List.of());
    }

    /** How long kept resources stay by default: a working day and a night to look at them. */
    public static final Duration DEFAULT_KEEP_TTL = Duration.ofHours(24);

    /** {@return the defaults, overridden by system properties and environment variables} */
    public static LabConfig fromEnvironment() {
        return resolve(key -> Optional.empty());
    }

    /**
     * Resolves every setting: system property, then environment variable, then {@code parameters} (the JUnit
     * configuration parameters), then the default.
     *
     * @param parameters looks a key up in a third source (JUnit configuration parameters); empty or blank: not set there
     * @return the settings
     * @throws InvalidDeclarationException naming the setting, its source and the values allowed
     */
    public static LabConfig resolve(Function<String, Optional<String>> parameters) {
        Function<String, Optional<Setting>> lookup = key -> {
            String property = System.getProperty(key);
            if (property != null && !property.isBlank()) {
                return Optional.of(new Setting(key, property.strip(), "system property " + key));
            }
            String variable = key.toUpperCase(Locale.ROOT).replace('.', '_');
            String env = System.getenv(variable);
            if (env != null && !env.isBlank()) {
                return Optional.of(new Setting(key, env.strip(), "environment variable " + variable));
            }
            return parameters.apply(key).filter(v -> !v.isBlank())
                    .map(v -> new Setting(key, v.strip(), "configuration parameter " + key));
        };
        HostLogin login = new HostLogin(lookup.apply("virtunit.host.ssh").map(Setting::sshLogin),
                lookup.apply("virtunit.host.identity").map(s -> Path.of(s.value())),
                lookup.apply("virtunit.host.knownHosts").map(s -> Path.of(s.value()))
                        .orElse(HostLogin.DEFAULT.knownHosts()));
        return new LabConfig(
                lookup.apply("virtunit.libvirt.uri").map(Setting::value).orElse("qemu:///system"),
                lookup.apply("virtunit.acceleration").map(s -> s.choice(Acceleration.class)).orElse(Acceleration.AUTO),
                lookup.apply("virtunit.cleanup").map(s -> s.choice(CleanupMode.class)).orElse(CleanupMode.ALWAYS),
                lookup.apply("virtunit.boot.timeout").map(Setting::duration).orElse(Duration.ofSeconds(120)),
                lookup.apply("virtunit.state.dir").map(s -> Path.of(s.value())).orElse(Path.of("/var/lib/virtunit")),
                lookup.apply("virtunit.cache.dir").map(s -> Path.of(s.value())).orElse(Path.of("/var/cache/virtunit")),
                lookup.apply("virtunit.unavailable").map(s -> s.oneOf("skip", "fail").equals("fail")).orElse(false),
                lookup.apply("virtunit.firstboot.cache").map(s -> s.oneOf("on", "off").equals("on")).orElse(false),
                lookup.apply("virtunit.keep.ttl").map(Setting::duration).orElse(DEFAULT_KEEP_TTL),
                lookup.apply("virtunit.boot.concurrency").map(Setting::positiveInt)
                        .orElse(Runtime.getRuntime().availableProcessors()),
                login,
                PoolSettings.resolve(key -> lookup.apply(key).map(s -> new String[] {s.value(), s.source()}), login));
    }

    /**
     * A copy with this libvirt URI.
     *
     * @param value the libvirt connection URI, e.g. {@code qemu:///system}
     * @return the new settings; this one is unchanged
     */
    public LabConfig withLibvirtUri(String value) {
        return new LabConfig(value, acceleration, cleanup, bootTimeout, stateDir, cacheDir, failWhenUnavailable, firstBootCache, keepTtl, bootConcurrency, hostLogin, hosts);
    }

    /**
     * A copy with this acceleration.
     *
     * @param value how guests are accelerated
     * @return the new settings; this one is unchanged
     */
    public LabConfig withAcceleration(Acceleration value) {
        return new LabConfig(libvirtUri, value, cleanup, bootTimeout, stateDir, cacheDir, failWhenUnavailable, firstBootCache, keepTtl, bootConcurrency, hostLogin, hosts);
    }

    /**
     * A copy with this cleanup mode.
     *
     * @param value when created resources are removed
     * @return the new settings; this one is unchanged
     */
    public LabConfig withCleanup(CleanupMode value) {
        return new LabConfig(libvirtUri, acceleration, value, bootTimeout, stateDir, cacheDir, failWhenUnavailable, firstBootCache, keepTtl, bootConcurrency, hostLogin, hosts);
    }

    /**
     * A copy with this boot timeout.
     *
     * @param value how long a guest may take to become ready
     * @return the new settings; this one is unchanged
     */
    public LabConfig withBootTimeout(Duration value) {
        return new LabConfig(libvirtUri, acceleration, cleanup, value, stateDir, cacheDir, failWhenUnavailable, firstBootCache, keepTtl, bootConcurrency, hostLogin, hosts);
    }

    /**
     * A copy with this state directory.
     *
     * @param value where run records and keys are kept
     * @return the new settings; this one is unchanged
     */
    public LabConfig withStateDir(Path value) {
        return new LabConfig(libvirtUri, acceleration, cleanup, bootTimeout, value, cacheDir, failWhenUnavailable, firstBootCache, keepTtl, bootConcurrency, hostLogin, hosts);
    }

    /**
     * A copy with this cache directory.
     *
     * @param value where downloaded and built images are cached
     * @return the new settings; this one is unchanged
     */
    public LabConfig withCacheDir(Path value) {
        return new LabConfig(libvirtUri, acceleration, cleanup, bootTimeout, stateDir, value, failWhenUnavailable, firstBootCache, keepTtl, bootConcurrency, hostLogin, hosts);
    }

    /**
     * With the first-boot cache on or off.
     *
     * @param value true to reuse warmed first-boot bases
     * @return the new settings; this one is unchanged
     * @since 0.2
     */
    public LabConfig withFirstBootCache(boolean value) {
        return new LabConfig(libvirtUri, acceleration, cleanup, bootTimeout, stateDir, cacheDir, failWhenUnavailable, value, keepTtl, bootConcurrency, hostLogin, hosts);
    }

    /**
     * With kept resources staying {@code value} before a later sweep removes them.
     *
     * @param value how long kept resources stay
     * @return the new settings; this one is unchanged
     * @since 0.2
     */
    public LabConfig withKeepTtl(Duration value) {
        return new LabConfig(libvirtUri, acceleration, cleanup, bootTimeout, stateDir, cacheDir, failWhenUnavailable, firstBootCache, value, bootConcurrency, hostLogin, hosts);
    }

    /**
     * With at most {@code value} guests of this JVM booting at once.
     *
     * @param value at least 1
     * @return the new settings; this one is unchanged
     * @since 0.2
     */
    public LabConfig withBootConcurrency(int value) {
        return new LabConfig(libvirtUri, acceleration, cleanup, bootTimeout, stateDir, cacheDir, failWhenUnavailable, firstBootCache, keepTtl, value, hostLogin, hosts);
    }

    /**
     * With this SSH login for a remote libvirt host.
     *
     * @param value how virtunit logs in to the host of {@link #libvirtUri()} when it is remote
     * @return the new settings; this one is unchanged
     * @since 0.4
     */
    public LabConfig withHostLogin(HostLogin value) {
        return new LabConfig(libvirtUri, acceleration, cleanup, bootTimeout, stateDir, cacheDir, failWhenUnavailable, firstBootCache, keepTtl, bootConcurrency, value, hosts);
    }

    /**
     * A copy with this pool of hosts.
     *
     * @param value the hosts, the first the home of NAT and upstreams; empty for the one host of the libvirt URI
     * @return the new settings; this one is unchanged
     * @since 0.4
     */
    public LabConfig withHosts(List<PoolHost> value) {
        return new LabConfig(libvirtUri, acceleration, cleanup, bootTimeout, stateDir, cacheDir, failWhenUnavailable,
                firstBootCache, keepTtl, bootConcurrency, hostLogin, value);
    }

    /**
     * The settings of one host of the pool: its URI and login, everything else as here, and no pool.
     *
     * @param host a host of {@link #hosts()}
     * @return the settings of a lab on that host
     * @since 0.4
     */
    public LabConfig onPoolHost(PoolHost host) {
        return new LabConfig(host.libvirtUri(), acceleration, cleanup, bootTimeout, stateDir, cacheDir,
                failWhenUnavailable, firstBootCache, keepTtl, bootConcurrency, host.login(), List.of());
    }

    private record Setting(String key, String value, String source) {

        <E extends Enum<E>> E choice(Class<E> type) {
            String normalised = value.toUpperCase(Locale.ROOT).replace('-', '_');
            for (E constant : type.getEnumConstants()) {
                if (constant.name().equals(normalised)) {
                    return constant;
                }
            }
            StringBuilder allowed = new StringBuilder();
            for (E constant : type.getEnumConstants()) {
                allowed.append(allowed.length() == 0 ? "" : ", ").append(constant.name().toLowerCase(Locale.ROOT).replace('_', '-'));
            }
            throw invalid(allowed.toString());
        }

        String oneOf(String... allowed) {
            for (String candidate : allowed) {
                if (candidate.equalsIgnoreCase(value)) {
                    return candidate;
                }
            }
            throw invalid(String.join(", ", allowed));
        }

        Duration duration() {
            try {
                Duration parsed = value.matches("\\d+") ? Duration.ofSeconds(Long.parseLong(value)) : Duration.parse(value);
                if (!parsed.isNegative() && !parsed.isZero()) {
                    return parsed;
                }
            } catch (DateTimeParseException | ArithmeticException ignored) {
                // reported below with the forms allowed
            }
            throw invalid("a positive number of seconds such as 120, or an ISO-8601 duration such as PT2M");
        }

        String sshLogin() {
            if (HostLogin.validLogin(value)) {
                return value;
            }
            throw invalid(HostLogin.LOGIN_FORMS);
        }

        int positiveInt() {
            try {
                int parsed = Integer.parseInt(value);
                if (parsed >= 1) {
                    return parsed;
                }
            } catch (NumberFormatException ignored) {
                // reported below with the forms allowed
            }
            throw invalid("a whole number of 1 or more");
        }

        private InvalidDeclarationException invalid(String allowed) {
            return new InvalidDeclarationException(source + " is '" + value + "'; allowed: " + allowed);
        }
    }
}
