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
import java.util.function.Supplier;

/**
 * Decides between KVM and software emulation. {@code /dev/kvm} existing and libvirt listing KVM are not proof:
 * some hosts (nested, paravirtual) list KVM and boot nothing with it. So {@link Acceleration#AUTO} picks KVM only
 * once a guest has booted with it on this host, and remembers the answer in the cache directory, keyed by the
 * machine and kernel, so the proof is paid once.
 */
public final class AccelerationChooser {

    /** The outcome: which domain type to use, and whether the first boot with it is the proof still owed. */
    public record Choice(boolean kvm, boolean proofPending, String reason) {

        public String domainType() {
            return kvm ? "kvm" : "qemu";
        }
    }

    private final Path devKvm;
    private final Supplier<String> capabilitiesXml;
    private final Path answerFile;

    public AccelerationChooser(Path devKvm, Supplier<String> capabilitiesXml, Path cacheDir, String hostKey) {
        this.devKvm = devKvm;
        this.capabilitiesXml = capabilitiesXml;
        this.answerFile = cacheDir.resolve("kvm-proof").resolve(sha256(hostKey));
    }

    /** The host key for {@link #AccelerationChooser}: machine id and kernel release, what a KVM answer depends on. */
    public static String currentHostKey() {
        return read(Path.of("/etc/machine-id")) + "|" + read(Path.of("/proc/sys/kernel/osrelease"));
    }

    public Choice choose(Acceleration requested) {
        boolean listed = Files.exists(devKvm) && capabilitiesXml.get().contains("<domain type='kvm'");
        switch (requested) {
            case TCG:
                return new Choice(false, false, "software emulation (TCG) requested");
            case KVM:
                if (!listed) {
                    throw new InvalidDeclarationException("acceleration kvm was requested, but " + (Files.exists(devKvm)
                            ? "libvirt does not list KVM among this host's domain types"
                            : devKvm + " does not exist") + "; use acceleration auto or tcg, or enable KVM on this host");
                }
                return new Choice(true, false, "KVM requested");
            default:
                if (!Files.exists(devKvm)) {
                    return new Choice(false, false, "no " + devKvm + ": software emulation (TCG)");
                }
                if (!listed) {
                    return new Choice(false, false, "libvirt lists no KVM domain type: software emulation (TCG)");
                }
                Optional<Boolean> known = cachedAnswer();
                if (known.isPresent()) {
                    return known.get()
                            ? new Choice(true, false, "KVM, proven to boot a guest on this host earlier")
                            : new Choice(false, false, "KVM is listed but booted no guest on this host earlier "
                                    + "(remembered in " + answerFile + "): software emulation (TCG)");
                }
                return new Choice(true, true, "KVM is listed; the first guest's boot proves whether it works");
        }
    }

    /** Remembers whether a guest booted with KVM on this host. */
    public void recordProof(boolean kvmBootsGuests) {
        try {
            Files.createDirectories(answerFile.getParent());
            Files.writeString(answerFile, kvmBootsGuests ? "works\n" : "broken\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record the KVM probe's answer in " + answerFile, e);
        }
    }

    Optional<Boolean> cachedAnswer() {
        try {
            return Files.exists(answerFile) ? Optional.of(Files.readString(answerFile).strip().equals("works")) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
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
