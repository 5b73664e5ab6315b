package dev.virtunit.internal.lab;

import dev.virtunit.Acceleration;
import dev.virtunit.internal.host.CommandFailedException;
import dev.virtunit.internal.host.CommandResult;
import dev.virtunit.internal.host.HostCommands;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Whether KVM really accelerates guests on a lab's host, as {@code @EnabledIfKvm} asks when that host is another
 * machine: its {@code /dev/kvm}, its CPU's virtualisation flags and its libvirt, asked through the host's commands,
 * and the proof remembered under that host's key ({@link LabHost#accelerationChooser}). A listed KVM is not enough
 * there either: a paravirtual KVM is listed and boots nothing.
 *
 * @since 0.4
 */
public final class KvmUsability {

    private static final Duration QUICK = Duration.ofSeconds(20);
    private static final Pattern HARDWARE_VIRTUALIZATION = Pattern.compile("^flags\\s*:.*\\b(vmx|svm)\\b",
            Pattern.MULTILINE);
    private static final String ELSEWHERE = "or point virtunit.libvirt.uri at a host whose KVM boots guests";

    private KvmUsability() {
    }

    /**
     * The answer, with its reason: what was found on which host and, when KVM is not usable, what would change it.
     *
     * @param usable whether guests there would run under KVM
     * @param reason what was found, naming the host
     * @since 0.4
     */
    public record Verdict(boolean usable, String reason) {
    }

    /**
     * Whether the libvirt host of {@code libvirtUri} is another machine, whose KVM only a lab connected to it can
     * judge; {@code qemu:///system}, {@code localhost} and {@code test:///} URIs are this machine.
     *
     * @param libvirtUri the lab's libvirt URI
     * @return true for a remote host
     * @since 0.4
     */
    public static boolean remoteUri(String libvirtUri) {
        return RemoteLogin.remoteHostOf(libvirtUri).isPresent();
    }

    /**
     * Judges KVM on {@code lab}'s host, through that host's commands and the lab's libvirt connection.
     *
     * @param lab a running lab
     * @return the verdict, naming the host
     * @since 0.4
     */
    public static Verdict of(LabSession lab) {
        // The lab's own chooser: its host's device and key are asked once a run, not again for the condition.
        return judge(lab.site().where(), lab.host(), lab.kvmProof().chooser());
    }

    /** The checks in the order a person would fix them: the device, the CPU, libvirt and the remembered proof. */
    static Verdict judge(String host, HostCommands commands, AccelerationChooser chooser) {
        String unusable = "KVM is not usable on " + host + ": ";
        if (!succeeds(commands, List.of("test", "-c", LabHost.DEV_KVM.toString()))) {
            return new Verdict(false, unusable + LabHost.DEV_KVM + " does not exist there (load kvm_intel or kvm_amd "
                    + "there, enable virtualisation in its firmware, " + ELSEWHERE + ")");
        }
        Optional<String> missing = missingHardwareVirtualization(output(commands, List.of("uname", "-m")).strip(),
                () -> Optional.of(output(commands, List.of("cat", "/proc/cpuinfo"))).filter(text -> !text.isEmpty()),
                () -> succeeds(commands, List.of("test", "-e", "/sys/module/kvm_pvm")));
        if (missing.isPresent()) {
            return new Verdict(false, unusable + missing.get() + ", " + ELSEWHERE);
        }
        AccelerationChooser.Choice choice = chooser.choose(Acceleration.AUTO);
        if (!choice.kvm()) {
            return new Verdict(false, unusable + choice.reason() + " (libvirt there must list the kvm domain type; "
                    + "a failed boot under KVM remembered in the file named is forgotten once that file is deleted; "
                    + ELSEWHERE + ")");
        }
        return new Verdict(true, "KVM on " + host + ": " + choice.reason());
    }

    /**
     * On x86 a KVM that boots ordinary guests needs the CPU's virtualisation extensions; a {@code /dev/kvm} without
     * them is paravirtual (such as kvm_pvm) or emulated, and libvirt still lists it. The rule for this machine and
     * for a remote host alike.
     *
     * @param arch      the host's architecture ({@code os.arch} or {@code uname -m}); others than x86 are not asked
     * @param cpuinfo   the host's {@code /proc/cpuinfo}, read only on x86; empty when it cannot be read
     * @param kvmPvm    whether the kvm_pvm module is loaded there, asked only when the flags are missing
     * @return what is missing, with its consequence; empty when nothing is known to be missing
     * @since 0.4
     */
    public static Optional<String> missingHardwareVirtualization(String arch, Supplier<Optional<String>> cpuinfo,
                                                                 BooleanSupplier kvmPvm) {
        String normalized = arch.toLowerCase(Locale.ROOT);
        if (!normalized.equals("amd64") && !normalized.equals("x86_64") && !normalized.matches("i[3-6]86|x86")) {
            return Optional.empty();
        }
        Optional<String> flags = cpuinfo.get();
        if (flags.isEmpty() || HARDWARE_VIRTUALIZATION.matcher(flags.get()).find()) {
            return Optional.empty();
        }
        String paravirtual = kvmPvm.getAsBoolean() ? " (the kvm_pvm module is loaded: a paravirtual KVM)" : "";
        return Optional.of("the CPU offers no hardware virtualisation (no vmx or svm flag in /proc/cpuinfo), so "
                + "/dev/kvm boots no ordinary guest" + paravirtual + "; guests run under software emulation (TCG); "
                + "use a machine or VM with hardware or nested virtualisation");
    }

    private static boolean succeeds(HostCommands commands, List<String> argv) {
        try {
            return commands.run(QUICK, argv).succeeded();
        } catch (CommandFailedException notStartedOrTimedOut) {
            return false;
        }
    }

    /** The program's stdout when it succeeded; empty otherwise, which no check takes as proof of anything. */
    private static String output(HostCommands commands, List<String> argv) {
        try {
            CommandResult result = commands.run(QUICK, argv);
            return result.succeeded() ? result.stdout() : "";
        } catch (CommandFailedException notStartedOrTimedOut) {
            return "";
        }
    }
}
