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
 * without KVM uses a KVM server's and two hosts never share an answer.
 */
class RemoteKvmChoiceTest {

    private static final String WITH_KVM = "<capabilities><guest><arch name='x86_64'><domain type='qemu'/>"
            + "<domain type='kvm'/></arch></guest></capabilities>";
    private static final String HOST = "root@kvm1:22";
    private static final String URI = "qemu+tcp://kvm1/system";
    private static final List<String> DEVICE_TEST = List.of("test", "-c", "/dev/kvm");
    private static final List<String> IDENTITY = List.of("cat", "/etc/machine-id", "/proc/sys/kernel/osrelease");

    @TempDir
    Path cache;

    /** A remote host whose device test exits {@code deviceTestExit} and whose identity is {@code machineId}. */
    private static RecordingHostCommands host(int deviceTestExit, String machineId) {
        return new RecordingHostCommands().answer(DEVICE_TEST, deviceTestExit, "", "")
                .answer(IDENTITY, machineId + "\n6.1.0-28-amd64\n");
    }

    private AccelerationChooser chooser(RecordingHostCommands commands, String uri) {
        HostNetworking networking = new HostNetworking(commands, new IpForwarding(new Sysctls(commands)),
                JavaLauncher.local(), HostFiles.over(commands, HOST));
        return LabHost.remote(networking, HostCommands.local(), HOST, () -> { })
                .accelerationChooser(() -> WITH_KVM, cache, uri);
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
}
