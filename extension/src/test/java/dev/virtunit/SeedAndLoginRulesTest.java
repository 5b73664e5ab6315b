package dev.virtunit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The rules of seed, password, identityFile, hostKey and readyWhen: images with and without cloud-init. */
class SeedAndLoginRulesTest {

    private static final String FINGERPRINT = "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s";

    @TempDir
    Path dir;
    private Path image;
    private Path privateKey;

    @BeforeEach
    void files() throws IOException {
        image = Files.writeString(dir.resolve("appliance.qcow2"), "not really");
        privateKey = Files.writeString(dir.resolve("id_ed25519"),
                "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n");
    }

    private GuestSpecBuilder seeded() {
        return GuestSpec.builder().origin("spec under test").image(image);
    }

    private GuestSpecBuilder unseeded() {
        return seeded().seed(Seed.NONE);
    }

    private static List<String> problems(GuestSpecBuilder spec) {
        try {
            spec.build();
        } catch (InvalidDeclarationException e) {
            return e.problems();
        }
        throw new AssertionError("the spec was accepted");
    }

    @Test
    void theDefaultIsASeedAndNothingElse() {
        GuestSpec spec = seeded().build();

        assertThat(spec.seed()).isEqualTo(Seed.NOCLOUD);
        assertThat(spec.password()).isEmpty();
        assertThat(spec.identityFile()).isEmpty();
        assertThat(spec.hostKey()).isEmpty();
        assertThat(spec.readyWhen()).isEmpty();
        assertThat(spec.awaitSsh()).isTrue();
    }

    @Test
    void anApplianceKeepsItsLoginHostKeyAndConsoleLine() {
        GuestSpec spec = unseeded().identityFile(privateKey).password("secret").hostKey(FINGERPRINT)
                .readyWhen("login:").build();

        assertThat(spec.seed()).isEqualTo(Seed.NONE);
        assertThat(spec.identityFile()).contains(privateKey);
        assertThat(spec.password()).contains("secret");
        assertThat(spec.hostKey()).contains(FINGERPRINT);
        assertThat(spec.readyWhen()).contains("login:");
        assertThat(spec.toString()).doesNotContain("secret");
    }

    @Test
    void theLoginIsOneValueThatTheShortcutsBuildToo() {
        ImageLogin login = ImageLogin.ofIdentityFile(privateKey).withPassword("secret").withHostKey(FINGERPRINT);
        GuestSpec whole = unseeded().login(login).build();
        GuestSpec piecewise = unseeded().identityFile(privateKey).password("secret").hostKey(FINGERPRINT).build();

        assertThat(whole.login()).isEqualTo(login).isEqualTo(piecewise.login());
        assertThat(whole.identityFile()).contains(privateKey);
        assertThat(whole.password()).contains("secret");
        assertThat(whole.hostKey()).contains(FINGERPRINT);
        assertThat(seeded().build().login()).isEqualTo(ImageLogin.NONE);
        assertThat(login.toString()).contains(privateKey.toString(), FINGERPRINT).doesNotContain("secret");
        // login(...) replaces what the shortcuts gave; a shortcut after it changes that one part.
        assertThat(unseeded().password("old").login(ImageLogin.ofIdentityFile(privateKey)).build().password()).isEmpty();
        assertThat(unseeded().login(login).password(null).build().login())
                .isEqualTo(new ImageLogin(Optional.of(privateKey), Optional.empty(), Optional.of(FINGERPRINT)));
        assertThatThrownBy(() -> seeded().login(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void anImageLoginIsCheckedLikeItsParts() {
        assertThat(problems(seeded().login(ImageLogin.ofPassword("secret")))).containsExactly("password is for an image "
                + "without a seed (the seed locks passwords); with seed NOCLOUD virtunit logs in with its own key, put "
                + "there by the seed: drop it, or set seed = NONE for an image without cloud-init");
        assertThat(problems(unseeded().login(ImageLogin.NONE.withHostKey(FINGERPRINT)))).containsExactly("seed NONE: the "
                + "image has none of virtunit's keys, so SSH needs the login it already has; give identityFile (its "
                + "private key) or password, or awaitSsh = false (ready when the console shows readyWhen, or once the "
                + "domain runs)");
    }

    @Test
    void loginMaterialAndAPinAreForImagesWithoutASeed() {
        assertThat(problems(seeded().password("secret").identityFile(privateKey).hostKey(FINGERPRINT))).containsExactly(
                "password is for an image without a seed (the seed locks passwords); with seed NOCLOUD virtunit "
                        + "logs in with its own key, put there by the seed: drop it, or set seed = NONE for an image "
                        + "without cloud-init",
                "identityFile '" + privateKey + "' is for an image without a seed; with seed NOCLOUD virtunit logs in "
                        + "with its own key, put there by the seed: drop it, or set seed = NONE for an image without "
                        + "cloud-init",
                "hostKey '" + FINGERPRINT + "' pins the host key of an image without a seed; with seed NOCLOUD virtunit "
                        + "injects a fresh host key and verifies it: drop hostKey, or set seed = NONE");
    }

    @Test
    void withoutASeedSshNeedsTheLoginTheImageHas() {
        assertThat(problems(unseeded())).containsExactly("seed NONE: the image has none of virtunit's keys, so SSH "
                + "needs the login it already has; give identityFile (its private key) or password, or awaitSsh = false "
                + "(ready when the console shows readyWhen, or once the domain runs)");
        assertThat(unseeded().awaitSsh(false).build().awaitSsh()).isFalse();
        assertThat(unseeded().password("secret").build().password()).contains("secret");
    }

    @Test
    void withoutASeedNothingCanBeWrittenIntoTheGuest() {
        assertThat(problems(unseeded().password("x").userData("#cloud-config\nruncmd: [true]\n")
                .address("192.168.77.10/24").gateway("192.168.77.1"))).containsExactly(
                "userData is read by cloud-init from the seed; with seed NONE there is none: drop userData, or use seed "
                        + "NOCLOUD",
                "gateway '192.168.77.1' is written into the seed; with seed NONE the image sets its own routes: drop "
                        + "gateway");
        // A declared address is the one the image configures itself: virtunit uses it to reach the guest.
        assertThat(unseeded().password("x").address("192.168.77.10/24").build().address()).contains("192.168.77.10/24");
    }

    @Test
    void withoutASeedANicNeedsADeclaredAddressOrADhcpServer() {
        assertThat(problems(unseeded().password("x").nic(GuestSpecTest.ovs("br-lan")).nic(network("isolated", false))))
                .containsExactly(
                        "NIC on br-lan has no address, and with seed NONE virtunit cannot give it one: declare the "
                                + "address the image configures itself (e.g. address = \".20\"), or put the NIC on a "
                                + "@LibvirtNetwork with dhcp = true and let the image ask DHCP",
                        "NIC on isolated has no address, and with seed NONE virtunit cannot give it one: declare the "
                                + "address the image configures itself (e.g. address = \".20\"), or put the NIC on a "
                                + "@LibvirtNetwork with dhcp = true and let the image ask DHCP");
        assertThat(unseeded().password("x").nic(GuestSpecTest.ovs("br-lan"), ".20").nic(network("nat", true)).build().nics())
                .hasSize(2);
    }

    @Test
    void theIdentityFileMustBeAReadablePrivateKey() throws IOException {
        Path missing = dir.resolve("missing");
        Path publicHalf = Files.writeString(dir.resolve("id_ed25519.pub"), "ssh-ed25519 AAAAC3Nza test\n");
        Path unreadable = Files.writeString(dir.resolve("secret_key"), "-----BEGIN OPENSSH PRIVATE KEY-----\n");
        Files.setPosixFilePermissions(unreadable, PosixFilePermissions.fromString("---------"));

        assertThat(problems(unseeded().identityFile(missing))).containsExactly("identityFile '" + missing + "' does not "
                + "exist (resolved to " + missing.toAbsolutePath() + "); check the path, relative paths are resolved "
                + "against the working directory");
        assertThat(problems(unseeded().identityFile(publicHalf))).containsExactly("identityFile '" + publicHalf
                + "' is not a private key (no '-----BEGIN ... PRIVATE KEY-----' line); give the private half of the key "
                + "pair, not the .pub file");
        if (!Files.isReadable(unreadable)) {   // root reads everything
            assertThat(problems(unseeded().identityFile(unreadable))).containsExactly("identityFile '" + unreadable
                    + "' is not readable by this user");
        }
    }

    @Test
    void theHostKeyIsASha256Fingerprint() {
        assertThat(unseeded().password("x").hostKey(FINGERPRINT + "=").build().hostKey()).contains(FINGERPRINT + "=");
        for (String wrong : List.of("SHA256:short", "MD5:16:27:ac:a5:76:28:2d:36:63:1b:56:4d:eb:df:a6:48",
                FINGERPRINT.substring("SHA256:".length()), "sha256:" + FINGERPRINT.substring(7))) {
            assertThat(problems(unseeded().password("x").hostKey(wrong))).containsExactly("hostKey '" + wrong
                    + "' is not a SHA256 fingerprint such as SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s "
                    + "(ssh-keygen -lf key.pub prints it; virtunit logs the one it trusted on first use)");
        }
    }

    @Test
    void readyWhenIsAPatternThatCompiles() {
        assertThat(seeded().readyWhen("^router\\d+ login:").build().readyWhen()).contains("^router\\d+ login:");
        assertThat(problems(seeded().readyWhen("Ready (v2"))).containsExactly("readyWhen 'Ready (v2' is not a valid "
                + "regular expression (Unclosed group near index 9); quote literal text as \\Q...\\E");
        assertThat(problems(seeded().readyWhen("  "))).containsExactly("readyWhen is blank; give the console line that "
                + "means ready, e.g. readyWhen = \"login:\", or leave it out");
    }

    @Test
    void emptyPasswordAndMissingSeedAreRefused() {
        assertThat(problems(unseeded().password(""))).containsExactly("password is empty; give the password the image "
                + "has for user 'root', or leave it out");
        assertThat(problems(seeded().seed(null))).containsExactly("seed must be NOCLOUD (virtunit writes a cloud-init "
                + "seed) or NONE (the image configures itself)");
    }

    @Test
    void everyProblemIsReportedTogether() {
        assertThat(problems(unseeded().hostKey("nope").readyWhen("(").userData("#cloud-config\n"))).hasSize(4);
    }

    private static Network network(String name, boolean dhcp) {
        return (Network) Proxy.newProxyInstance(Network.class.getClassLoader(), new Class<?>[] {Network.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "name" -> name;
                    case "dhcp" -> dhcp;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
