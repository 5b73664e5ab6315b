package dev.virtunit.it;

import dev.virtunit.internal.host.Command;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What the integration tests need to know about the machine they run on: where the test image is, which
 * subnet is free, and small checks of the host's state. It fails with the remedy when the host is not set up.
 */
final class TestHost {

    /** Where our libvirt storage pools keep overlays and seeds; libvirt's qemu user must be able to read it. */
    static final Path POOLS_DIR = Path.of("/var/lib/virtunit/pools");

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final TestHost INSTANCE = new TestHost();

    private TestHost() {
    }

    static TestHost get() {
        return INSTANCE;
    }

    /** The tiny image built by scripts/build-test-image, resolved past its stable symlink. */
    Path testImage() {
        return imageProperty("virtunit.testImage");
    }

    Path liveIso() {
        return imageProperty("virtunit.liveIso");
    }

    /**
     * A file of the tiny image's appliance variant (scripts/build-test-image builds it beside tiny.qcow2):
     * {@code tiny-appliance.qcow2}, {@code .key}, {@code .password}, {@code .hostkey.fingerprint}.
     */
    Path applianceFile(String name) {
        Path file = testImage().resolveSibling(name);
        if (!Files.isReadable(file)) {
            throw new IllegalStateException(file + " is missing beside the test image; rebuild it with "
                    + "scripts/build-test-image, which makes the appliance variant too");
        }
        return file;
    }

    /** The first line of an appliance file (its password, its host key's fingerprint). */
    String applianceText(String name) {
        try {
            return Files.readString(applianceFile(name)).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path imageProperty(String property) {
        String configured = System.getProperty(property, "/var/cache/virtunit/images/tiny.qcow2");
        Path image = Path.of(configured);
        if (!Files.isReadable(image)) {
            throw new IllegalStateException("test image " + image + " (system property " + property + ") is missing; "
                    + "build it with scripts/build-test-image, as .ci/run does");
        }
        try {
            return image.toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The libvirt domain type: {@code qemu} (software emulation) unless told {@code kvm}. This machine kind lists
     * a KVM that boots no guest (shared/HOST.md); proving KVM works before choosing it is the extension's job.
     */
    String domainType() {
        return System.getProperty("virtunit.acceleration", "tcg").equals("kvm") ? "kvm" : "qemu";
    }

    /** Under TCG, QEMU reserves a 1 GiB translation cache per guest; 256 MiB costs no boot time and saves 780 MiB. */
    String tcgFeatures() {
        return domainType().equals("qemu") ? "<tcg><tb-cache unit='MiB'>256</tb-cache></tcg>" : "";
    }

    /** Six hex digits, unique enough per run, short enough for 15-character interface names. */
    static String newRunId() {
        return HexFormat.of().formatHex(RANDOM.generateSeed(3));
    }

    /** A locally administered MAC in QEMU's 52:54:00 range, derived from the run so runs do not clash. */
    static String macFor(String run, int nic) {
        return "52:54:00:" + run.substring(0, 2) + ":" + run.substring(2, 4) + ":" + String.format("%02x", nic);
    }

    /**
     * The first three octets of a 192.168.X.0/24 that no route and no address on this host uses. The host's
     * uplink and the package archive's ranges are in other blocks, so a test network here cannot cut them off.
     */
    String freeSubnet24() {
        String routes = Command.check(TIMEOUT, "ip", "-4", "route", "show", "table", "all").stdout()
                + Command.check(TIMEOUT, "ip", "-4", "-o", "addr").stdout();
        Set<Integer> taken = Pattern.compile("192\\.168\\.(\\d+)\\.").matcher(routes).results()
                .map(m -> Integer.parseInt(m.group(1))).collect(Collectors.toSet());
        List<Integer> free = new ArrayList<>();
        for (int third = 100; third < 250; third++) {
            if (!taken.contains(third)) {
                free.add(third);
            }
        }
        if (free.isEmpty()) {
            throw new IllegalStateException("no free 192.168.100-249.0/24 subnet on this host: " + routes);
        }
        return "192.168." + free.get(RANDOM.nextInt(free.size()));
    }

    static List<String> linkNames() {
        return Command.check(TIMEOUT, "ip", "-o", "link").stdout().lines()
                .map(line -> line.split(": ")[1].split("@")[0]).toList();
    }

    static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 20];
            for (int read; (read = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, read);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    /** One top-level scalar of qemu-img's JSON; enough here without a JSON library. */
    static String jsonField(String json, String field) {
        Matcher matcher = Pattern.compile("\"" + Pattern.quote(field) + "\"\\s*:\\s*\"?([^\",\\n}]+)").matcher(json);
        if (!matcher.find()) {
            throw new IllegalStateException("no field '" + field + "' in " + json);
        }
        return matcher.group(1).strip();
    }

    /** What the run learned about KVM on this host, so the fresh cache does not prove it again (minutes on TCG hosts). */
    static void copyKvmProof(Path from, Path to) throws IOException {
        Path proofs = from.resolve("kvm-proof");
        if (!Files.isDirectory(proofs)) {
            return;
        }
        Files.createDirectories(to.resolve("kvm-proof"));
        try (Stream<Path> answers = Files.list(proofs)) {
            for (Path answer : answers.toList()) {
                Files.copy(answer, to.resolve("kvm-proof").resolve(answer.getFileName()));
            }
        }
    }
}
