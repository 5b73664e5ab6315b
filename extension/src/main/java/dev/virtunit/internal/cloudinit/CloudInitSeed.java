package dev.virtunit.internal.cloudinit;

import dev.virtunit.GuestSpec;
import dev.virtunit.internal.host.FileTrees;
import dev.virtunit.internal.host.HostCommands;
import dev.virtunit.internal.ssh.SshKeyPair;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A cloud-init NoCloud seed: {@code meta-data}, {@code user-data} and {@code network-config} on an ISO 9660
 * volume labelled {@code cidata}, which the guest finds as a CD-ROM.
 *
 * <p>The same seed drives real cloud-init (checked on 22.4 and 25.1: no error, {@code cloud-init schema --system}
 * clean) and the tiny test image, which reads the subset it needs (see {@code scripts/image/README.md}).
 */
public final class CloudInitSeed {

    /** The label cloud-init's NoCloud datasource looks for. */
    public static final String VOLUME_LABEL = "cidata";

    private static final Duration ISO_TIMEOUT = Duration.ofSeconds(60);

    private final String instanceId;
    private final String hostname;
    private final List<String> authorizedKeys;
    private final Optional<SshKeyPair> hostKey;
    private final List<NicConfig> nics;
    private final Optional<String> user;
    private final Map<String, Object> extraUserData;

    private CloudInitSeed(Builder builder) {
        this.instanceId = Objects.requireNonNull(builder.instanceId, "instanceId");
        this.hostname = Objects.requireNonNull(builder.hostname, "hostname");
        this.authorizedKeys = List.copyOf(builder.authorizedKeys);
        this.hostKey = Optional.ofNullable(builder.hostKey);
        this.nics = List.copyOf(builder.nics);
        this.user = Optional.ofNullable(builder.user);
        this.extraUserData = builder.extraUserData;
    }

    public static Builder builder() {
        return new Builder();
    }

    public String metaData() {
        Map<String, Object> metaData = new LinkedHashMap<>();
        metaData.put("instance-id", instanceId);
        metaData.put("local-hostname", hostname);
        return CloudConfig.yaml(metaData);
    }

    /**
     * The {@code #cloud-config}: what both cloud-init 22.4 (Debian 12) and 25.1 (Debian 13) apply with no error and no
     * schema warning (measured, see {@code scripts/cloud-image/README.md}), with the test's own cloud-config merged
     * in by key ({@link CloudConfig#merge}).
     */
    public String userData() {
        Map<String, Object> ours = new LinkedHashMap<>();
        ours.put("hostname", hostname);
        // sudo says "unable to resolve host" unless the hostname is in /etc/hosts
        ours.put("manage_etc_hosts", true);
        // cloud-init's default en_US.UTF-8 does not exist on a minimal image and its locale step then fails
        ours.put("locale", "C.UTF-8");
        // Real cloud images lock root out by default; our tests log in as root with a key only. ssh_pwauth is left
        // alone on purpose: setting it makes cloud-init restart sshd after SSH is up, refusing connections.
        ours.put("disable_root", false);
        hostKey.ifPresent(key -> {
            // Only our key, so the guest presents exactly the key the client verifies against. With ssh_keys given
            // cloud-init generates none; an empty ssh_genkeytypes would be a schema warning on 22.4.
            ours.put("ssh_deletekeys", true);
            ours.put("ssh_genkeytypes", List.of("ed25519"));
            Map<String, Object> keys = new LinkedHashMap<>();
            keys.put("ed25519_private", key.privateKeyOpenSsh());
            keys.put("ed25519_public", key.publicKeyLine());
            ours.put("ssh_keys", keys);
        });
        if (!authorizedKeys.isEmpty()) {
            ours.put("ssh_authorized_keys", authorizedKeys);
        }
        // A login user other than root gets our keys and sudo; a users list without "default" then means no
        // distribution default user. For root there is no list at all: "users: []" is a schema error on 22.4
        // ("[] is too short"), so the image's default user is made as on any cloud image (with our keys).
        user.filter(name -> !name.equals("root")).ifPresent(name -> {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("name", name);
            entry.put("shell", "/bin/bash");
            entry.put("lock_passwd", true);
            entry.put("sudo", "ALL=(ALL) NOPASSWD:ALL");
            entry.put("ssh_authorized_keys", authorizedKeys);
            ours.put("users", List.of(entry));
        });
        return CloudConfig.write(CloudConfig.merge(ours, extraUserData));
    }

    /**
     * network-config version 2, one entry per NIC named as it will be named in the guest, matched by MAC. A default
     * route is {@code to: 0.0.0.0/0}: {@code to: default} fails cloud-init 22.4 and 25.1 in their first stage (no
     * network at all), and {@code gateway4} is deprecated.
     */
    public String networkConfig() {
        Map<String, Object> ethernets = new LinkedHashMap<>();
        for (NicConfig nic : nics) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("match", Map.of("macaddress", nic.mac()));
            entry.put("set-name", nic.name());
            if (nic.dhcp()) {
                entry.put("dhcp4", true);
            } else {
                entry.put("addresses", nic.addresses());
                nic.gateway().ifPresent(gateway -> {
                    Map<String, Object> route = new LinkedHashMap<>();
                    route.put("to", "0.0.0.0/0");
                    route.put("via", gateway);
                    entry.put("routes", List.of(route));
                });
                if (!nic.nameservers().isEmpty()) {
                    entry.put("nameservers", Map.of("addresses", nic.nameservers()));
                }
            }
            ethernets.put(nic.name(), entry);
        }
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("version", 2);
        config.put("ethernets", ethernets);
        return CloudConfig.yaml(config);
    }

    /**
     * The seed's files by name, as its ISO holds them ({@code network-config} only with NICs); a guest restored from
     * a template gets them through its identity port instead.
     *
     * @since 0.3
     */
    public Map<String, String> files() {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("meta-data", metaData());
        files.put("user-data", userData());
        if (!nics.isEmpty()) {
            files.put("network-config", networkConfig());
        }
        return files;
    }

    /**
     * Writes the seed as an ISO 9660 image at {@code iso} (with genisoimage, or xorriso where only that is
     * installed, run through {@code host}) and returns it. The three files are staged in a temporary folder that is
     * removed afterwards.
     */
    public Path writeIso(Path iso, HostCommands host) {
        Path staging = null;
        try {
            staging = Files.createTempDirectory("virtunit-seed-");
            List<String> files = new ArrayList<>();
            for (Map.Entry<String, String> file : files().entrySet()) {
                Files.writeString(staging.resolve(file.getKey()), file.getValue());
                files.add(staging.resolve(file.getKey()).toString());
            }
            List<String> argv = new ArrayList<>(isoTool());
            argv.addAll(List.of("-quiet", "-output", iso.toString(), "-volid", VOLUME_LABEL, "-joliet", "-rock"));
            argv.addAll(files);
            host.check(ISO_TIMEOUT, argv);
            return iso;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stage the cloud-init seed for " + iso, e);
        } finally {
            FileTrees.deleteQuietly(staging);
        }
    }

    private static List<String> isoTool() {
        for (String dir : List.of("/usr/bin", "/usr/local/bin", "/bin")) {
            if (Files.isExecutable(Path.of(dir, "genisoimage"))) {
                return List.of(dir + "/genisoimage");
            }
            if (Files.isExecutable(Path.of(dir, "xorriso"))) {
                return List.of(dir + "/xorriso", "-as", "mkisofs");
            }
        }
        throw new IllegalStateException("neither genisoimage nor xorriso is installed; they write the cloud-init "
                + "seed ISO. Run scripts/setup-host, or apt-get install genisoimage");
    }

    /** Collects the seed's parts; {@link #build()} checks that the required ones are there. */
    public static final class Builder {
        private String instanceId;
        private String hostname;
        private final List<String> authorizedKeys = new ArrayList<>();
        private SshKeyPair hostKey;
        private final List<NicConfig> nics = new ArrayList<>();
        private String user;
        private Map<String, Object> extraUserData = Map.of();

        private Builder() {
        }

        public Builder instanceId(String instanceId) {
            this.instanceId = instanceId;
            return this;
        }

        public Builder hostname(String hostname) {
            this.hostname = hostname;
            return this;
        }

        /** A one-line OpenSSH public key; plain YAML needs it free of {@code " #"} and line breaks. */
        public Builder authorizedKey(String publicKeyLine) {
            if (!publicKeyLine.matches("(ssh|ecdsa|sk)-[\\w@.-]+ [A-Za-z0-9+/=]+( [\\w@.:-]*)?")) {
                throw new IllegalArgumentException("'" + publicKeyLine + "' is not a one-line OpenSSH public key "
                        + "such as 'ssh-ed25519 AAAAC3Nz... user@host'");
            }
            authorizedKeys.add(publicKeyLine);
            return this;
        }

        public Builder hostKey(SshKeyPair hostKey) {
            this.hostKey = hostKey;
            return this;
        }

        public Builder nic(NicConfig nic) {
            nics.add(nic);
            return this;
        }

        /** The login user besides root: created with the authorized keys and passwordless sudo. */
        public Builder user(String user) {
            this.user = user;
            return this;
        }

        /**
         * A test's own {@code #cloud-config}, merged into ours by key ({@link CloudConfig#merge}). Keys virtunit owns
         * ({@link GuestSpec#RESERVED_USER_DATA_KEYS}) and broken YAML were refused when the guest's spec was built,
         * before anything existed; here broken YAML is an {@link IllegalArgumentException} all the same.
         */
        public Builder userData(String cloudConfig) {
            try {
                this.extraUserData = CloudConfig.parse(cloudConfig);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("userData " + e.getMessage(), e);
            }
            return this;
        }

        public CloudInitSeed build() {
            return new CloudInitSeed(this);
        }
    }
}
