package dev.virtunit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The rules of how virtunit logs in to a guest and knows it is ready, part of {@link SpecRules}: a seeded guest gets
 * virtunit's key and host key from the seed, an unseeded one brings its own login (identity file or password, a
 * pinned or first-use host key) and its own addresses.
 */
final class LoginRules {

    /** What {@code ssh-keygen -lf} prints after the bit count: SHA256 and 43 base64 digits, padding optional. */
    private static final Pattern SHA256_FINGERPRINT = Pattern.compile("SHA256:[A-Za-z0-9+/]{43}=?");

    private LoginRules() {
    }

    /**
     * seed, the {@link ImageLogin} (password, identityFile, hostKey) and readyWhen. Login material and a host key pin belong to images
     * without a seed: with a seed virtunit logs in with its own key and verifies the host key it injected. Without a
     * seed virtunit configures nothing in the guest, so every address it relies on comes from DHCP or is declared as
     * the one the image sets itself.
     */
    static void check(GuestSpec spec, List<String> problems) {
        if (spec.seed() == null) {
            problems.add("seed must be NOCLOUD (virtunit writes a cloud-init seed) or NONE (the image configures itself)");
            return;
        }
        spec.password().filter(String::isEmpty).ifPresent(p -> problems.add("password is empty; give the password the "
                + "image has for user '" + spec.user() + "', or leave it out"));
        spec.identityFile().ifPresent(file -> checkIdentityFile(file, problems));
        spec.hostKey().filter(fingerprint -> !SHA256_FINGERPRINT.matcher(fingerprint).matches()).ifPresent(fingerprint ->
                problems.add("hostKey '" + fingerprint + "' is not a SHA256 fingerprint such as SHA256:"
                        + "uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s (ssh-keygen -lf key.pub prints it; virtunit logs "
                        + "the one it trusted on first use)"));
        spec.readyWhen().ifPresent(line -> checkReadyWhen(line, problems));
        if (spec.seed() == Seed.NOCLOUD) {
            checkSeededLogin(spec, problems);
        } else {
            checkUnseededGuest(spec, problems);
        }
    }

    private static void checkSeededLogin(GuestSpec spec, List<String> problems) {
        String remedy = "; with seed NOCLOUD virtunit logs in with its own key, put there by the seed: drop it, or "
                + "set seed = NONE for an image without cloud-init";
        spec.password().ifPresent(p -> problems.add("password is for an image without a seed (the seed locks "
                + "passwords)" + remedy));
        spec.identityFile().ifPresent(f -> problems.add("identityFile '" + f + "' is for an image without a seed"
                + remedy));
        spec.hostKey().ifPresent(k -> problems.add("hostKey '" + k + "' pins the host key of an image without a seed; "
                + "with seed NOCLOUD virtunit injects a fresh host key and verifies it: drop hostKey, or set seed = NONE"));
    }

    private static void checkUnseededGuest(GuestSpec spec, List<String> problems) {
        if (spec.awaitSsh() && !spec.login().hasCredentials()) {
            problems.add("seed NONE: the image has none of virtunit's keys, so SSH needs the login it already has; give "
                    + "identityFile (its private key) or password, or awaitSsh = false (ready when the console shows "
                    + "readyWhen, or once the domain runs)");
        }
        if (!spec.userData().isBlank()) {
            problems.add("userData is read by cloud-init from the seed; with seed NONE there is none: drop userData, or "
                    + "use seed NOCLOUD");
        }
        spec.gateway().ifPresent(g -> problems.add("gateway '" + g + "' is written into the seed; with seed NONE the "
                + "image sets its own routes: drop gateway"));
        for (GuestSpec.NicSpec nic : spec.nics()) {
            boolean servedByDhcp = nic.segment() instanceof Network network && network.dhcp();
            if (nic.address().isEmpty() && !servedByDhcp) {
                problems.add("NIC on " + nic.segment().name() + " has no address, and with seed NONE virtunit cannot "
                        + "give it one: declare the address the image configures itself (e.g. address = \".20\"), or "
                        + "put the NIC on a @LibvirtNetwork with dhcp = true and let the image ask DHCP");
            }
        }
    }

    /** The private half of a key pair, readable; a public key given by mistake is the usual slip. */
    private static void checkIdentityFile(Path file, List<String> problems) {
        int before = problems.size();
        SpecRules.requireReadableFile(file, "identityFile", problems);
        if (problems.size() > before) {
            return;
        }
        try {
            String text = Files.readString(file, StandardCharsets.ISO_8859_1);
            if (!text.contains("PRIVATE KEY-----")) {
                problems.add("identityFile '" + file + "' is not a private key (no '-----BEGIN ... PRIVATE KEY-----' "
                        + "line); give the private half of the key pair, not the .pub file");
            }
        } catch (IOException e) {
            problems.add("identityFile '" + file + "' cannot be read: " + e.getMessage());
        }
    }

    private static void checkReadyWhen(String line, List<String> problems) {
        if (line.isBlank()) {
            problems.add("readyWhen is blank; give the console line that means ready, e.g. readyWhen = \"login:\", or "
                    + "leave it out");
            return;
        }
        try {
            Pattern.compile(line);
        } catch (PatternSyntaxException e) {
            problems.add("readyWhen '" + line + "' is not a valid regular expression (" + e.getDescription() + " near "
                    + "index " + e.getIndex() + "); quote literal text as \\Q...\\E");
        }
    }
}
