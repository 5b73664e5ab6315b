package dev.virtunit.junit;

import dev.virtunit.internal.lab.AccelerationChooser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Each {@code @EnabledIf...} condition's decision on fake hosts: every way to be disabled, with the reason a person
 * needs, and the way to be enabled. The KVM case of this very machine (listed, paravirtual, boots nothing) is one
 * of them.
 */
class HostConditionsTest {

    private static final String URI = "qemu:///system";
    private static final List<String> CAPABILITIES = List.of("virsh", "-c", URI, "capabilities");
    private static final String KVM_LISTED = "<capabilities><guest><arch name='x86_64'><domain type='qemu'/>"
            + "<domain type='kvm'/></arch></guest></capabilities>";
    private static final String CPU_VMX = "processor\t: 0\nflags\t\t: fpu vme de pse vmx sse2 hypervisor\n";
    private static final String CPU_NO_VMX = "processor\t: 0\nflags\t\t: fpu vme de pse sse2 hypervisor\n";

    @TempDir
    Path cache;

    @TempDir
    Path dev;

    private Path devKvm() throws IOException {
        // AccelerationChooser looks at the device itself, so the fake's device is a real (empty) file.
        Path node = dev.resolve("kvm");
        if (!Files.exists(node)) {
            Files.createFile(node);
        }
        return node;
    }

    private FakeHostFacts kvmHost() throws IOException {
        return new FakeHostFacts().usable(devKvm()).file("/proc/cpuinfo", CPU_VMX).output(CAPABILITIES, KVM_LISTED);
    }

    private ConditionEvaluationResult kvm(FakeHostFacts host) throws IOException {
        return new KvmCondition(host).decide(devKvm(), "amd64", URI, cache, "host-1");
    }

    @Test
    void kvmIsUsableWhenEverythingSaysSo() throws IOException {
        ConditionEvaluationResult result = kvm(kvmHost());
        assertThat(result.isDisabled()).isFalse();
        assertThat(result.getReason()).hasValueSatisfying(r -> assertThat(r).contains("KVM is listed"));
    }

    @Test
    void kvmWithoutTheDeviceIsDisabled() throws IOException {
        FakeHostFacts host = new FakeHostFacts().file("/proc/cpuinfo", CPU_VMX).output(CAPABILITIES, KVM_LISTED);
        assertDisabled(kvm(host), devKvm() + " does not exist", "load kvm_intel or kvm_amd");
    }

    @Test
    void kvmTheUserMayNotOpenIsDisabled() throws IOException {
        FakeHostFacts host = new FakeHostFacts().file(devKvm().toString(), "").file("/proc/cpuinfo", CPU_VMX)
                .output(CAPABILITIES, KVM_LISTED);
        assertDisabled(kvm(host), "is not readable and writable by user", "group kvm and mode 0660");
    }

    /** This machine: /dev/kvm usable and listed by libvirt, but paravirtual (kvm_pvm), no vmx/svm: boots nothing. */
    @Test
    void listedKvmWithoutHardwareVirtualizationIsDisabled() throws IOException {
        FakeHostFacts host = kvmHost().file("/proc/cpuinfo", CPU_NO_VMX).file("/sys/module/kvm_pvm", "");
        assertDisabled(kvm(host), "no vmx or svm flag in /proc/cpuinfo", "kvm_pvm module is loaded",
                "software emulation (TCG)");
    }

    @Test
    void otherArchitecturesAreNotAskedForX86Flags() throws IOException {
        FakeHostFacts host = kvmHost().file("/proc/cpuinfo", CPU_NO_VMX);
        assertThat(new KvmCondition(host).decide(devKvm(), "aarch64", URI, cache, "host-1").isDisabled()).isFalse();
    }

    @Test
    void kvmIsDisabledWhenLibvirtDoesNotAnswer() throws IOException {
        FakeHostFacts host = new FakeHostFacts().usable(devKvm()).file("/proc/cpuinfo", CPU_VMX);
        assertDisabled(kvm(host), "libvirt at " + URI + " does not answer", "start libvirtd");
    }

    @Test
    void kvmIsDisabledWhenLibvirtDoesNotListIt() throws IOException {
        FakeHostFacts host = kvmHost().output(CAPABILITIES, "<capabilities><domain type='qemu'/></capabilities>");
        assertDisabled(kvm(host), "libvirt lists no KVM domain type");
    }

    @Test
    void kvmThatBootedNoGuestEarlierIsDisabled() throws IOException {
        new AccelerationChooser(devKvm(), () -> KVM_LISTED, cache, "host-1").recordProof(false);
        assertDisabled(kvm(kvmHost()), "booted no guest on this host earlier");
    }

    @Test
    void ovsKernelDatapathFromTheModule() {
        assertThat(new OvsKernelDatapathCondition(new FakeHostFacts().file("/sys/module/openvswitch", ""))
                .decide().isDisabled()).isFalse();
    }

    @Test
    void ovsKernelDatapathFromOvsDpctl() {
        FakeHostFacts host = new FakeHostFacts().output(List.of("ovs-dpctl", "dump-dps"), "system@ovs-system\n");
        assertThat(new OvsKernelDatapathCondition(host).decide().isDisabled()).isFalse();
    }

    @Test
    void userspaceOnlyOvsIsDisabled() {
        FakeHostFacts host = new FakeHostFacts().output(List.of("ovs-dpctl", "dump-dps"), "netdev@ovs-netdev\n");
        assertDisabled(new OvsKernelDatapathCondition(host).decide(), "openvswitch kernel module is not loaded",
                "datapath_type=netdev");
    }

    @Test
    void nestedNeedsKvmFirst() {
        ConditionEvaluationResult noKvm = ConditionEvaluationResult.disabled("KVM is not usable: no /dev/kvm");
        assertDisabled(new NestedVirtualizationCondition(new FakeHostFacts()
                .file("/sys/module/kvm_intel/parameters/nested", "Y\n")).decide(noKvm),
                "nested virtualisation needs KVM: KVM is not usable: no /dev/kvm");
    }

    @Test
    void nestedFollowsTheVendorModuleParameter() {
        ConditionEvaluationResult kvm = ConditionEvaluationResult.enabled("KVM");
        assertThat(new NestedVirtualizationCondition(new FakeHostFacts()
                .file("/sys/module/kvm_amd/parameters/nested", "1\n")).decide(kvm).isDisabled()).isFalse();
        assertDisabled(new NestedVirtualizationCondition(new FakeHostFacts()
                .file("/sys/module/kvm_intel/parameters/nested", "N\n")).decide(kvm),
                "nested virtualisation is off", "modprobe kvm_intel nested=1");
        assertDisabled(new NestedVirtualizationCondition(new FakeHostFacts()).decide(kvm),
                "neither kvm_intel nor kvm_amd is loaded");
    }

    @Test
    void freeMemoryComparesMemAvailableWithTheGuestsNeeds() {
        FakeHostFacts host = new FakeHostFacts().file("/proc/meminfo",
                "MemTotal:       24000000 kB\nMemFree:         1000000 kB\nMemAvailable:    2097152 kB\n");
        ConditionEvaluationResult fits = new FreeMemoryCondition(host).decide(8, 256);
        assertThat(fits.isDisabled()).isFalse();
        assertThat(fits.getReason()).hasValue("8 guests x 256 MiB = 2048 MiB needed, 2048 MiB available");
        assertDisabled(new FreeMemoryCondition(host).decide(4, 640),
                "not enough free memory: 4 guests x 640 MiB = 2560 MiB needed, 2048 MiB available");
    }

    @Test
    void freeMemoryWithoutMemAvailableIsDisabled() {
        FakeHostFacts host = new FakeHostFacts().file("/proc/meminfo", "MemTotal: 1000 kB\n");
        assertDisabled(new FreeMemoryCondition(host).decide(1, 256), "no MemAvailable line");
    }

    @Test
    void freeMemoryRefusesNonsense() {
        assertThatThrownBy(() -> new FreeMemoryCondition(new FakeHostFacts()).decide(0, 256))
                .hasMessageContaining("guests = 0").hasMessageContaining("1 or more");
    }

    private static void assertDisabled(ConditionEvaluationResult result, String... reasonParts) {
        assertThat(result.isDisabled()).as("disabled: %s", result.getReason()).isTrue();
        assertThat(result.getReason()).hasValueSatisfying(reason -> assertThat(reason).contains(reasonParts));
    }
}
