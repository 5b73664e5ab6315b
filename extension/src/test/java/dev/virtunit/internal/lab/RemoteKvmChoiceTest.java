package dev.virtunit.internal.lab;

import dev.virtunit.Acceleration;
import dev.virtunit.InvalidDeclarationException;
import dev.virtunit.internal.host.HostCommands;
import dev.virtunit.internal.host.HostFiles;
import dev.virtunit.internal.host.RecordingHostCommands;
import dev.virtunit.internal.net.HostNetworking;
import dev.virtunit.internal.net.IpForwarding;
import dev.virtunit.internal.net.JavaLauncher;
import dev.virtunit.internal.net.Sysctls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Acceleration {@code auto} of a lab on a remote libvirt host looks at that host, not at this machine: its
 * {@code /dev/kvm} is asked through its commands, and the proof is remembered under that host's key, so a laptop
 * without KVM uses a KVM server's and two hosts never share an answer. {@code @EnabledIfKvm} judges that host the
 * same way ({@link KvmUsability}): its device, its CPU's flags, its libvirt and the proof kept under its key, each
 * reason naming the host.
 */
class RemoteKvmChoiceTest {

    private static final String WITH_KVM = "<capabilities><guest><arch name='x86_64'><domain type='qemu'/>"
            + "<domain type='kvm'/></arch></guest></capabilities>";
    private static final String HOST = "root@kvm1:22";
    private static final String URI = "qemu+tcp://kvm1/system";
    private static final List<String> DEVICE_TEST = List.of("test", "-c", "/dev/kvm");
    private static final List<String> IDENTITY = List.of("cat", "/etc/machine-id", "/proc/sys/kernel/osrelease");
    private static final String CPU_VMX = "processor\t: 0\nflags\t\t: fpu vme de pse vmx sse2 hypervisor\n";
    private static final String CPU_NO_VMX = "processor\t: 0\nflags\t\t: fpu vme de pse sse2 hypervisor\n";

    @TempDir
    Path cache;

    /** A remote host whose device test exits {@code deviceTestExit} and whose identity is {@code machineId}. */
    private static RecordingHostCommands host(int deviceTestExit, String machineId) {
        return new RecordingHostCommands().answer(DEVICE_TEST, deviceTestExit, "", "")
                .answer(IDENTITY, machineId + "\n6.1.0-28-amd64\n");
    }

    /** A remote x86 host with the device and {@code cpuinfo}. */
    private static RecordingHostCommands x86Host(String cpuinfo) {
        return host(0, "aaaa").answer(List.of("uname", "-m"), "x86_64\n").answer(List.of("cat", "/proc/cpuinfo"), cpuinfo)
                .answer(List.of("test", "-e", "/sys/module/kvm_pvm"), 1, "", "");
    }

    private KvmUsability.Verdict judge(RecordingHostCommands commands, String capabilities) {
        return KvmUsability.judge(HOST, commands, chooser(commands, URI, capabilities));
    }

    private AccelerationChooser chooser(RecordingHostCommands commands, String uri) {
        return chooser(commands, uri, WITH_KVM);
    }

    private AccelerationChooser chooser(RecordingHostCommands commands, String uri, String capabilities) {
        return FakeLabHost.remoteSite(commands, HOST, () -> { }).accelerationChooser(() -> capabilities, cache, uri);
    }

    @Test
    void aRemoteHostWithoutTheDeviceIsSoftwareEmulationAndKvmIsRefusedNamingThatHost() {
        RecordingHostCommands commands = host(1, "aaaa");
        AccelerationChooser chooser = chooser(commands, URI);

        AccelerationChooser.Choice auto = chooser.choose(Acceleration.AUTO);

        assertThat(auto.kvm()).isFalse();
        assertThat(auto.proofPending()).isFalse();
        assertThat(auto.reason()).isEqualTo("no /dev/kvm on " + HOST + ": software emulation (TCG)");
        assertThatThrownBy(() -> chooser.choose(Acceleration.KVM))
                .isInstanceOf(InvalidDeclarationException.class)
                .hasMessage("acceleration kvm was requested, but /dev/kvm does not exist on " + HOST
                        + "; use acceleration auto or tcg, or enable KVM on " + HOST);
        // Asked there once for the run, whatever this machine has.
        assertThat(commands.rendered("test")).containsExactly("test -c /dev/kvm");
    }

    @Test
    void softwareEmulationRequestedAsksTheHostNothing() {
        RecordingHostCommands commands = host(0, "aaaa");

        assertThat(chooser(commands, URI).choose(Acceleration.TCG).kvm()).isFalse();

        assertThat(commands.commands()).isEmpty();
    }

    @Test
    void aRemoteHostWithTheDeviceNeedsItsOwnProofRememberedUnderItsKey() {
        RecordingHostCommands commands = host(0, "aaaa");
        AccelerationChooser chooser = chooser(commands, URI);

        AccelerationChooser.Choice first = chooser.choose(Acceleration.AUTO);
        assertThat(first.kvm()).isTrue();
        assertThat(first.proofPending()).isTrue();
        assertThat(chooser.choose(Acceleration.KVM).kvm()).isTrue();

        chooser.recordProof(true);
        AccelerationChooser.Choice later = chooser(host(0, "aaaa"), URI).choose(Acceleration.AUTO);
        assertThat(later.proofPending()).isFalse();
        assertThat(later.reason()).isEqualTo("KVM, proven to boot a guest on " + HOST + " earlier");
        // Another host, or the same URI now answered by another machine: that one's proof is still owed.
        assertThat(chooser(host(0, "aaaa"), "qemu+tcp://kvm2/system").choose(Acceleration.AUTO).proofPending())
                .isTrue();
        assertThat(chooser(host(0, "bbbb"), URI).choose(Acceleration.AUTO).proofPending()).isTrue();
        assertThat(commands.rendered("cat")).containsExactly(String.join(" ", IDENTITY));
    }

    @Test
    void aLabOnThisMachineLooksAtItsOwnDeviceAndRunsNoCommand() {
        RecordingHostCommands commands = host(0, "aaaa");
        HostNetworking networking = new HostNetworking(commands, new IpForwarding(new Sysctls(commands)));
        AccelerationChooser chooser = LabHost.local(networking).accelerationChooser(() -> WITH_KVM, cache,
                "qemu:///system");

        AccelerationChooser.Choice auto = chooser.choose(Acceleration.AUTO);

        assertThat(commands.commands()).isEmpty();
        assertThat(auto.kvm()).isEqualTo(java.nio.file.Files.exists(LabHost.DEV_KVM));
        assertThat(chooser.answerFile()).isEqualTo(new AccelerationChooser(LabHost.DEV_KVM, () -> WITH_KVM, cache,
                AccelerationChooser.currentHostKey()).answerFile());
    }

    @Test
    void theKeyDiffersPerHostAndFromThisMachines() {
        Path here = new AccelerationChooser(LabHost.DEV_KVM, () -> WITH_KVM, cache,
                AccelerationChooser.currentHostKey()).answerFile();
        Path kvm1 = chooser(host(0, "aaaa"), URI).answerFile();

        assertThat(chooser(host(0, "aaaa"), URI).answerFile()).isEqualTo(kvm1);
        assertThat(List.of(here, chooser(host(0, "aaaa"), "qemu+tcp://kvm2/system").answerFile(),
                chooser(host(0, "bbbb"), URI).answerFile())).doesNotContain(kvm1).doesNotHaveDuplicates();
    }

    @Test
    void enabledIfKvmFindsARemoteHostWithTheDeviceHardwareVirtualisationAndListedKvmUsable() {
        KvmUsability.Verdict verdict = judge(x86Host(CPU_VMX), WITH_KVM);

        assertThat(verdict.usable()).isTrue();
        assertThat(verdict.reason()).isEqualTo("KVM on " + HOST + ": KVM is listed; the first guest's boot proves "
                + "whether it works");
    }

    @Test
    void enabledIfKvmTrustsARemoteHostsRememberedProof() {
        chooser(x86Host(CPU_VMX), URI).recordProof(true);

        KvmUsability.Verdict verdict = judge(x86Host(CPU_VMX), WITH_KVM);

        assertThat(verdict.usable()).isTrue();
        assertThat(verdict.reason()).isEqualTo("KVM on " + HOST + ": KVM, proven to boot a guest on " + HOST
                + " earlier");
    }

    @Test
    void enabledIfKvmSkipsARemoteHostWithoutTheDeviceNamingItAndTheRemedy() {
        RecordingHostCommands commands = host(1, "aaaa");

        KvmUsability.Verdict verdict = judge(commands, WITH_KVM);

        assertThat(verdict.usable()).isFalse();
        assertThat(verdict.reason()).startsWith("KVM is not usable on " + HOST + ": /dev/kvm does not exist there "
                + "(load kvm_intel or kvm_amd there, ").endsWith("or point virtunit.libvirt.uri at a host whose KVM "
                + "boots guests)");
        // Nothing else is asked of a host without the device.
        assertThat(commands.rendered()).containsExactly("test -c /dev/kvm");
    }

    @Test
    void enabledIfKvmCountsADeviceTestThatCannotRunAsNoDevice() {
        RecordingHostCommands commands = x86Host(CPU_VMX).failFirst(DEVICE_TEST);

        assertThat(judge(commands, WITH_KVM).reason()).startsWith("KVM is not usable on " + HOST
                + ": /dev/kvm does not exist there");
    }

    /** This machine's kind, as a remote host: listed, paravirtual (kvm_pvm), no vmx/svm, boots nothing. */
    @Test
    void enabledIfKvmSkipsARemoteHostWhoseCpuHasNoHardwareVirtualisation() {
        RecordingHostCommands commands = x86Host(CPU_NO_VMX).answer(List.of("test", "-e", "/sys/module/kvm_pvm"), "");

        KvmUsability.Verdict verdict = judge(commands, WITH_KVM);

        assertThat(verdict.usable()).isFalse();
        assertThat(verdict.reason()).startsWith("KVM is not usable on " + HOST + ": the CPU offers no hardware "
                + "virtualisation (no vmx or svm flag in /proc/cpuinfo)").contains("(the kvm_pvm module is loaded: "
                + "a paravirtual KVM)").endsWith("or point virtunit.libvirt.uri at a host whose KVM boots guests");
        // A pending proof is not offered as a way out: the CPU decides first.
        assertThat(verdict.reason()).doesNotContain("first guest's boot");
    }

    @Test
    void enabledIfKvmAsksNoFlagsOfAnotherArchitecture() {
        RecordingHostCommands commands = x86Host(CPU_NO_VMX).answer(List.of("uname", "-m"), "aarch64\n");

        assertThat(judge(commands, WITH_KVM).usable()).isTrue();
        assertThat(commands.rendered("cat")).doesNotContain("cat /proc/cpuinfo");
    }

    @Test
    void enabledIfKvmSkipsARemoteHostWhoseLibvirtListsNoKvm() {
        String qemuOnly = "<capabilities><guest><arch name='x86_64'><domain type='qemu'/></arch></guest></capabilities>";

        KvmUsability.Verdict verdict = judge(x86Host(CPU_VMX), qemuOnly);

        assertThat(verdict.usable()).isFalse();
        assertThat(verdict.reason()).startsWith("KVM is not usable on " + HOST + ": libvirt lists no KVM domain "
                + "type: software emulation (TCG) (libvirt there must list the kvm domain type; ");
    }

    @Test
    void enabledIfKvmSkipsARemoteHostWhereKvmBootedNoGuestNamingTheRememberedAnswer() {
        AccelerationChooser earlier = chooser(x86Host(CPU_VMX), URI);
        earlier.recordProof(false);

        KvmUsability.Verdict verdict = judge(x86Host(CPU_VMX), WITH_KVM);

        assertThat(verdict.usable()).isFalse();
        assertThat(verdict.reason()).startsWith("KVM is not usable on " + HOST + ": KVM is listed but booted no guest "
                + "on " + HOST + " earlier (remembered in " + earlier.answerFile() + ")")
                .contains("forgotten once that file is deleted");
    }

    @Test
    void onlyAUriNamingAnotherMachineIsJudgedThere() {
        assertThat(KvmUsability.remoteUri(URI)).isTrue();
        assertThat(KvmUsability.remoteUri("qemu+ssh://root@kvm1/system")).isTrue();
        assertThat(KvmUsability.remoteUri("qemu:///system")).isFalse();
        assertThat(KvmUsability.remoteUri("qemu+ssh://root@localhost/system")).isFalse();
        assertThat(KvmUsability.remoteUri("test:///default")).isFalse();
    }
}
