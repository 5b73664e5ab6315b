package dev.virtunit.internal.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * What QEMU itself wrote about a domain, in the log libvirt keeps for it on this host
 * ({@code /var/log/libvirt/qemu/<domain>.log}): the only place a KVM internal error or an emulation failure is told,
 * since QEMU then just pauses the guest. Read only for a local libvirt; a remote host's log is not ours to read.
 */
final class QemuLog {

    static final Path LOG_DIR = Path.of("/var/log/libvirt/qemu");
    /** Lines that say QEMU stopped the guest for a reason of its own; matched lower case. */
    private static final List<String> STOP_REASONS = List.of("kvm internal error", "emulation failure", "error",
            "suberror");
    private static final int MAX_LINES = 4;

    private final Path file;

    QemuLog(Path dir, String domain) {
        this.file = dir.resolve(domain + ".log");
    }

    /** The log of {@code domain} on a local libvirt, or none for a remote one. */
    static QemuLog of(String libvirtUri, String domain) {
        boolean local = libvirtUri.startsWith("qemu:///");
        return new QemuLog(local ? LOG_DIR : Path.of("/nonexistent"), domain);
    }

    /** The lines of QEMU's last run of the domain that say why it stopped the guest, at most a few; "" if none. */
    String stopReasons() {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException | RuntimeException unreadable) {
            return "";
        }
        // From the last start on: libvirt writes a "starting up" line before each run of QEMU.
        int start = 0;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains("starting up")) {
                start = i;
            }
        }
        return lines.subList(start, lines.size()).stream()
                .filter(line -> STOP_REASONS.stream().anyMatch(line.toLowerCase(Locale.ROOT)::contains))
                .limit(MAX_LINES).reduce((a, b) -> a + "\n" + b).orElse("");
    }

    Path file() {
        return file;
    }
}
