package dev.virtunit.internal.lab;

import java.nio.charset.StandardCharsets;
import dev.virtunit.Acceleration;
import dev.virtunit.InvalidDeclarationException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Decides between KVM and software emulation. {@code /dev/kvm} existing and libvirt listing KVM are not proof:
 * some hosts (nested, paravirtual) list KVM and boot nothing with it. So {@link Acceleration#AUTO} picks KVM only
 * once a guest has booted with it on this host, and remembers the answer in the cache directory, keyed by the
 * machine and kernel, so the proof is paid once. The guests' host may be another machine than this JVM's (a lab on
 * a remote libvirt URI): then its device is asked there ({@link KvmDevice}) and the answer is keyed by that host.
 */
public final class AccelerationChooser {

    /** The outcome: which domain type to use, and whether the first boot with it is the proof still owed. */
    public record Choice(boolean kvm, boolean proofPending, String reason) {

        public String domainType() {
            return kvm ? "kvm" : "qemu";
        }
    }

    /**
     * The KVM device of the host the guests run on: whether it exists there, its path, and the host when it is not
     * this machine ({@code root@kvm1:22}), for messages.
     */
    public record KvmDevice(BooleanSupplier present, String path, Optional<String> remoteHost) {

        /** {@code devKvm} on this machine, looked at directly. */
        public static KvmDevice local(Path devKvm) {
            return new KvmDevice(() -> Files.exists(devKvm), devKvm.toString(), Optional.empty());
        }

        /** The host, as messages name it. */
        String host() {
            return remoteHost.orElse("this host");
        }

        /** The device as messages name it: {@code /dev/kvm}, or {@code /dev/kvm on root@kvm1:22}. */
        String name() {
            return path + onHost();
        }

        /** Nothing for this machine, {@code " on root@kvm1:22"} for a remote host. */
        String onHost() {
            return remoteHost.map(host -> " on " + host).orElse("");
        }
    }

    private final KvmDevice device;
    private final Supplier<String> capabilitiesXml;
    private final Path cacheDir;
    /** Asked only when an answer is read or written: a remote host's key costs commands there. */
    private final Supplier<String> hostKey;

    /** This machine's {@code devKvm}, the answer kept in {@code cacheDir} under {@code hostKey}. */
    public AccelerationChooser(Path devKvm, Supplier<String> capabilitiesXml, Path cacheDir, String hostKey) {
        this(KvmDevice.local(devKvm), capabilitiesXml, cacheDir, () -> hostKey);
    }

    /** {@code device} of any host, the answer kept in {@code cacheDir} under that host's {@code hostKey}. */
    public AccelerationChooser(KvmDevice device, Supplier<String> capabilitiesXml, Path cacheDir,
                               Supplier<String> hostKey) {
        this.device = device;
        this.capabilitiesXml = capabilitiesXml;
        this.cacheDir = cacheDir;
        this.hostKey = hostKey;
    }

    /** The host key for {@link #AccelerationChooser}: machine id and kernel release, what a KVM answer depends on. */
    public static String currentHostKey() {
        return read(Path.of("/etc/machine-id")) + "|" + read(Path.of("/proc/sys/kernel/osrelease"));
    }

    public Choice choose(Acceleration requested) {
        if (requested == Acceleration.TCG) {
            return new Choice(false, false, "software emulation (TCG) requested");
        }
        // Asked once per choice: on a remote host each look at the device is a command there.
        boolean present = device.present().getAsBoolean();
        boolean listed = present && capabilitiesXml.get().contains("<domain type='kvm'");
        if (requested == Acceleration.KVM) {
            if (!listed) {
                throw new InvalidDeclarationException("acceleration kvm was requested, but " + (present
                        ? "libvirt does not list KVM among the domain types of " + device.host()
                        : device.path() + " does not exist" + device.onHost())
                        + "; use acceleration auto or tcg, or enable KVM on " + device.host());
            }
            return new Choice(true, false, "KVM requested");
        }
        if (!present) {
            return new Choice(false, false, "no " + device.name() + ": software emulation (TCG)");
        }
        if (!listed) {
            return new Choice(false, false, "libvirt lists no KVM domain type: software emulation (TCG)");
        }
        Optional<Boolean> known = cachedAnswer();
        if (known.isPresent()) {
            return known.get()
                    ? new Choice(true, false, "KVM, proven to boot a guest on " + device.host() + " earlier")
                    : new Choice(false, false, "KVM is listed but booted no guest on " + device.host() + " earlier "
                            + "(remembered in " + answerFile() + "): software emulation (TCG)");
        }
        return new Choice(true, true, "KVM is listed; the first guest's boot proves whether it works");
    }

    /** The guests' host as messages name it: {@code this host}, or {@code root@kvm1:22}. */
    public String host() {
        return device.host();
    }

    /** Remembers whether a guest booted with KVM on this host. */
    public void recordProof(boolean kvmBootsGuests) {
        Path answerFile = answerFile();
        try {
            Files.createDirectories(answerFile.getParent());
            Files.writeString(answerFile, kvmBootsGuests ? "works\n" : "broken\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record the KVM probe's answer in " + answerFile, e);
        }
    }

    Optional<Boolean> cachedAnswer() {
        Path answerFile = answerFile();
        try {
            return Files.exists(answerFile) ? Optional.of(Files.readString(answerFile).strip().equals("works")) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Where the answer for this host is kept: one file per host key. */
    Path answerFile() {
        return cacheDir.resolve("kvm-proof").resolve(sha256(hostKey.get()));
    }

    private static String read(Path file) {
        try {
            return Files.readString(file).strip();
        } catch (IOException e) {
            return "";
        }
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8))).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
