package dev.virtunit.internal.cloudinit;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A cloud-init NoCloud seed: {@code meta-data}, {@code user-data} and {@code network-config} on an ISO 9660
 * volume labelled {@code cidata}, which the guest finds as a CD-ROM.
 *
 * <p>It writes only the subset the tiny test image understands (see {@code scripts/image/README.md}), and
 * every line of it is also valid for real cloud-init, so the same seed drives ordinary cloud images.
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
    private final String extraUserData;

    private CloudInitSeed(Builder builder) {
        this.instanceId = Objects.requireNonNull(builder.instanceId, "instanceId");
        this.hostname = Objects.requireNonNull(builder.hostname, "hostname");
        this.authorizedKeys = List.copyOf(builder.authorizedKeys);
        this.hostKey = Optional.ofNullable(builder.hostKey);
        this.nics = List.copyOf(builder.nics);
        this.extraUserData = builder.extraUserData;
    }

    public static Builder builder() {
        return new Builder();
    }

    public String metaData() {
        return "instance-id: " + quote(instanceId) + "\n"
                + "local-hostname: " + quote(hostname) + "\n";
    }

    public String userData() {
        StringBuilder yaml = new StringBuilder("#cloud-config\n");
        // Real cloud images lock root out by default; our tests log in as root with a key only.
        yaml.append("disable_root: false\n");
        yaml.append("ssh_pwauth: false\n");
        yaml.append("manage_etc_hosts: true\n");
        if (!authorizedKeys.isEmpty()) {
            yaml.append("ssh_authorized_keys:\n");
            authorizedKeys.forEach(key -> yaml.append("  - ").append(key).append('\n'));
        }
        if (!extraUserData.isEmpty()) {
            yaml.append("# merged from the test's own userData:\n").append(extraUserData);
        }
        hostKey.ifPresent(key -> {
            // Only our key, so the guest presents exactly the key the client verifies against.
            yaml.append("ssh_deletekeys: true\n");
            yaml.append("ssh_genkeytypes: []\n");
            yaml.append("ssh_keys:\n");
            yaml.append("  ed25519_private: |\n");
            key.privateKeyOpenSsh().lines().forEach(line -> yaml.append("    ").append(line).append('\n'));
            yaml.append("  ed25519_public: ").append(key.publicKeyLine()).append('\n');
        });
        return yaml.toString();
    }

    public String networkConfig() {
        StringBuilder yaml = new StringBuilder("version: 2\nethernets:\n");
        for (int i = 0; i < nics.size(); i++) {
            NicConfig nic = nics.get(i);
            yaml.append("  nic").append(i).append(":\n");
            yaml.append("    match:\n");
            yaml.append("      macaddress: ").append(quote(nic.mac())).append('\n');
            yaml.append("    set-name: ").append(quote(nic.name())).append('\n');
            if (nic.dhcp()) {
                yaml.append("    dhcp4: true\n");
            } else {
                yaml.append("    dhcp4: false\n");
                yaml.append("    addresses:\n");
                nic.addresses().forEach(address -> yaml.append("      - ").append(address).append('\n'));
                nic.gateway().ifPresent(gateway -> yaml.append("    routes:\n")
                        .append("      - to: default\n")
                        .append("        via: ").append(gateway).append('\n'));
                if (!nic.nameservers().isEmpty()) {
                    yaml.append("    nameservers:\n      addresses:\n");
                    nic.nameservers().forEach(server -> yaml.append("        - ").append(server).append('\n'));
                }
            }
        }
        return yaml.toString();
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
            Files.writeString(staging.resolve("meta-data"), metaData());
            Files.writeString(staging.resolve("user-data"), userData());
            List<String> files = new ArrayList<>(List.of(staging.resolve("meta-data").toString(),
                    staging.resolve("user-data").toString()));
            if (!nics.isEmpty()) {
                Files.writeString(staging.resolve("network-config"), networkConfig());
                files.add(staging.resolve("network-config").toString());
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

    /** YAML double-quoted scalar: safe for any text we put there. */
    static String quote(String value) {
        StringBuilder quoted = new StringBuilder("\"");
        for (char c : value.toCharArray()) {
            switch (c) {
                case '"' -> quoted.append("\\\"");
                case '\\' -> quoted.append("\\\\");
                case '\n' -> quoted.append("\\n");
                default -> quoted.append(c);
            }
        }
        return quoted.append('"').toString();
    }

    /** Collects the seed's parts; {@link #build()} checks that the required ones are there. */
    public static final class Builder {
        private String instanceId;
        private String hostname;
        private final List<String> authorizedKeys = new ArrayList<>();
        private SshKeyPair hostKey;
        private final List<NicConfig> nics = new ArrayList<>();
        private String extraUserData = "";

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

        /**
         * Merges a user's own {@code #cloud-config}: its {@code ssh_authorized_keys} join ours, every other top-level
         * key is kept as it is. Keys virtunit owns ({@link GuestSpec#RESERVED_USER_DATA_KEYS}) were refused when the
         * guest's spec was built, before anything existed.
         */
        public Builder userData(String cloudConfig) {
            StringBuilder rest = new StringBuilder();
            boolean inAuthorizedKeys = false;
            for (String line : cloudConfig.lines().toList()) {
                if (line.startsWith("#cloud-config") || line.isBlank()) {
                    continue;
                }
                Matcher key = Pattern.compile("^([A-Za-z_][\\w-]*)\\s*:").matcher(line);
                if (key.find()) {
                    inAuthorizedKeys = key.group(1).equals("ssh_authorized_keys");
                    if (inAuthorizedKeys) {
                        continue;
                    }
                }
                if (inAuthorizedKeys) {
                    String item = line.strip();
                    if (item.startsWith("- ")) {
                        authorizedKey(item.substring(2).strip().replaceAll("^[\"']|[\"']$", ""));
                    }
                    continue;
                }
                rest.append(line).append('\n');
            }
            this.extraUserData = rest.toString();
            return this;
        }

        public CloudInitSeed build() {
            return new CloudInitSeed(this);
        }
    }
}
