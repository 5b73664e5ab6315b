package dev.virtunit.internal.restore;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Who a guest restored from a template is, as the tiny image's template mode reads it from its identity port
 * ({@code scripts/image/rootfs/usr/lib/virtunit/cloud-init-lite.sh}, {@code cil_template_identity}): one item a line,
 * ended by {@code end}. The time (the template's clock stopped when it was saved), random bytes for the kernel's pool
 * (every copy starts from the template's), each NIC's MAC (the copy's NICs still have the template's), and the NoCloud
 * seed files the guest would otherwise have read from its {@code cidata} CD-ROM: hostname, host key, authorized keys,
 * network configuration, user-data.
 *
 * @param macs      the template's MAC of each NIC to the guest's, in NIC order
 * @param seedFiles seed file name ({@code meta-data}, {@code user-data}, {@code network-config}) to content
 * @since 0.3
 */
public record IdentityMessage(Instant time, byte[] random, Map<String, String> macs, Map<String, String> seedFiles) {

    /** The port's name in the domain XML and the guest. */
    public static final String PORT = "dev.virtunit.identity";
    private static final Pattern MAC = Pattern.compile("[0-9a-f]{2}(:[0-9a-f]{2}){5}");
    private static final List<String> SEED_FILES = List.of("meta-data", "user-data", "network-config");

    public IdentityMessage {
        Objects.requireNonNull(time, "time");
        random = random.clone();
        Map<String, String> lowered = new LinkedHashMap<>();
        macs.forEach((from, to) -> lowered.put(mac(from), mac(to)));
        macs = java.util.Collections.unmodifiableMap(lowered);
        seedFiles.keySet().forEach(name -> {
            if (!SEED_FILES.contains(name)) {
                throw new IllegalArgumentException("seed file '" + name + "' is none the guest reads; use one of " + SEED_FILES);
            }
        });
        seedFiles = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(seedFiles));
    }

    /** A message for now, with 64 fresh random bytes. */
    public static IdentityMessage now(Map<String, String> macs, Map<String, String> seedFiles) {
        byte[] random = new byte[64];
        new SecureRandom().nextBytes(random);
        return new IdentityMessage(Instant.now(), random, macs, seedFiles);
    }

    private static String mac(String mac) {
        String lower = mac.toLowerCase(Locale.ROOT);
        if (!MAC.matcher(lower).matches()) {
            throw new IllegalArgumentException("'" + mac + "' is no MAC address (six hex pairs separated by colons)");
        }
        return lower;
    }

    /**
     * The lines as the guest reads them: plain text it handles with shell builtins only (a process costs tens of
     * milliseconds under emulation). The random bytes go as base64 text, which mixes the same entropy into the pool;
     * a file is its line count, then its lines.
     */
    public String render() {
        List<String> lines = new ArrayList<>();
        lines.add("virtunit-identity 2");
        lines.add("time " + time.getEpochSecond());
        lines.add("random " + Base64.getEncoder().encodeToString(random));
        macs.forEach((from, to) -> lines.add("mac " + from + " " + to));
        seedFiles.forEach((name, content) -> {
            List<String> fileLines = content.lines().toList();
            lines.add("file " + name + " " + fileLines.size());
            lines.addAll(fileLines);
        });
        lines.add("end");
        return String.join("\n", lines) + "\n";
    }
}
