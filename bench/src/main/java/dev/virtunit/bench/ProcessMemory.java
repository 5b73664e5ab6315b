package dev.virtunit.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Resident memory of a process as the kernel counts it ({@code VmRSS} in {@code /proc/<pid>/status}): a guest's qemu
 * (its pid from libvirt's {@code /run/libvirt/qemu/<domain>.pid}) or this JVM.
 *
 * @since 0.3
 */
public final class ProcessMemory {

    private static final Path LIBVIRT_PIDS = Path.of("/run/libvirt/qemu");

    private ProcessMemory() {
    }

    /**
     * {@return the VmRSS in KiB of the qemu running libvirt domain {@code domain}}
     *
     * @throws UncheckedIOException when libvirt has no pid file for it or the process is gone
     */
    public static long qemuRssKib(String domain) {
        try {
            String pid = Files.readString(LIBVIRT_PIDS.resolve(domain + ".pid")).strip();
            return vmRssKib(Files.readString(Path.of("/proc", pid, "status")), "qemu of " + domain);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the memory of domain " + domain + "'s qemu (is it running?)", e);
        }
    }

    /** {@return this JVM's VmRSS and heap in use} */
    public static JvmSample jvm() {
        try {
            long rss = vmRssKib(Files.readString(Path.of("/proc/self/status")), "this JVM");
            return new JvmSample(rss, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1024);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/self/status for the JVM's memory", e);
        }
    }

    /**
     * The {@code VmRSS} line of a {@code /proc/<pid>/status} text, in KiB.
     *
     * @param status the file's text
     * @param what   whose status it is, for the error
     * @return the resident memory in KiB
     * @throws IllegalStateException when the text has no VmRSS line (a kernel thread, a zombie)
     */
    static long vmRssKib(String status, String what) {
        for (String line : status.split("\n")) {
            if (line.startsWith("VmRSS:")) {
                String[] words = line.substring("VmRSS:".length()).strip().split("\\s+");
                if (words.length == 2 && words[0].matches("[0-9]+") && words[1].equals("kB")) {
                    return Long.parseLong(words[0]);
                }
                throw new IllegalStateException("cannot read the VmRSS line of " + what + ": '" + line + "'");
            }
        }
        throw new IllegalStateException(what + " has no VmRSS in its status: it is gone or not a user process");
    }
}
