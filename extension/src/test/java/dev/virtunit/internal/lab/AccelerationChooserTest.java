package dev.virtunit.internal.lab;

import dev.virtunit.Acceleration;
import dev.virtunit.GuestNotReadyException;
import dev.virtunit.GuestSpec;
import dev.virtunit.InvalidDeclarationException;
import dev.virtunit.VirtunitException;
import dev.virtunit.internal.libvirt.LibvirtOperationException;
import dev.virtunit.internal.ssh.LoginRefusedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/**
 * KVM is chosen only once proven; the machine kind this project runs on lists a KVM that boots nothing. The proof
 * ({@link KvmProof}) blames KVM only on evidence that KVM is at fault, so a bad guest cannot poison later runs.
 */
class AccelerationChooserTest {

    private static final String WITH_KVM = "<capabilities><guest><arch name='x86_64'><domain type='qemu'/><domain type='kvm'/></arch></guest></capabilities>";
    private static final String WITHOUT_KVM = "<capabilities><guest><arch name='x86_64'><domain type='qemu'/></arch></guest></capabilities>";

    @TempDir
    Path dir;

    private AccelerationChooser chooser(boolean devKvmExists, String capabilities) throws Exception {
        Path devKvm = dir.resolve("kvm");
        if (devKvmExists) {
            Files.writeString(devKvm, "");
        } else {
            Files.deleteIfExists(devKvm);
        }
        return new AccelerationChooser(devKvm, () -> capabilities, dir.resolve("cache"), "host-1");
    }

    @Test
    void autoWithoutDevKvmIsTcgWithNoProofNeeded() throws Exception {
        AccelerationChooser.Choice choice = chooser(false, WITH_KVM).choose(Acceleration.AUTO);

        assertThat(choice.domainType()).isEqualTo("qemu");
        assertThat(choice.proofPending()).isFalse();
        assertThat(choice.reason()).startsWith("no ").endsWith("kvm: software emulation (TCG)");
    }

    @Test
    void autoWithKvmListedNeedsAProofFirstAndRemembersTheAnswer() throws Exception {
        AccelerationChooser chooser = chooser(true, WITH_KVM);

        AccelerationChooser.Choice first = chooser.choose(Acceleration.AUTO);
        assertThat(first.domainType()).isEqualTo("kvm");
        assertThat(first.proofPending()).isTrue();

        chooser.recordProof(false);
        AccelerationChooser.Choice later = chooser(true, WITH_KVM).choose(Acceleration.AUTO);
        assertThat(later.domainType()).isEqualTo("qemu");
        assertThat(later.proofPending()).isFalse();
        assertThat(later.reason()).contains("booted no guest on this host earlier");

        chooser.recordProof(true);
        assertThat(chooser(true, WITH_KVM).choose(Acceleration.AUTO)).satisfies(choice -> {
            assertThat(choice.domainType()).isEqualTo("kvm");
            assertThat(choice.proofPending()).isFalse();
        });
    }

    @Test
    void autoWithDevKvmButNoKvmDomainTypeIsTcg() throws Exception {
        assertThat(chooser(true, WITHOUT_KVM).choose(Acceleration.AUTO).domainType()).isEqualTo("qemu");
    }

    @Test
    void forcedChoicesAreHonouredAndKvmWithoutKvmIsRefused() throws Exception {
        assertThat(chooser(false, WITHOUT_KVM).choose(Acceleration.TCG).domainType()).isEqualTo("qemu");
        assertThat(chooser(true, WITH_KVM).choose(Acceleration.KVM).domainType()).isEqualTo("kvm");
        assertThatThrownBy(() -> chooser(false, WITH_KVM).choose(Acceleration.KVM))
                .isInstanceOf(InvalidDeclarationException.class)
                .hasMessageStartingWith("acceleration kvm was requested, but ")
                .hasMessageEndingWith("does not exist; use acceleration auto or tcg, or enable KVM on this host");
    }

    // ---- KvmProof: only KVM's own failure may switch the host to TCG ----

    /** A spec that leaves acceleration to the lab; its image is never read here. */
    private static final GuestSpec SPEC = GuestSpec.builder().image(Path.of("pom.xml")).build();

    /** A guest of the proof: how its readiness ends and what its console showed. */
    private record TrialGuest(String name, RuntimeException failure, String console) {
        void awaitReady() {
            if (failure != null) {
                throw failure;
            }
        }
    }

    private final List<String> events = new ArrayList<>();

    private TrialGuest settle(KvmProof proof, TrialGuest first, TrialGuest retry) {
        AccelerationChooser.Choice choice = proof.choose(SPEC, Acceleration.AUTO);
        assertThat(choice.proofPending()).isTrue();
        return proof.settle(first, choice, TrialGuest::awaitReady, TrialGuest::console,
                guest -> events.add("remove " + guest.name()),
                () -> {
                    events.add("again under " + proof.choose(SPEC, Acceleration.AUTO).domainType());
                    return retry;
                });
    }

    private static TrialGuest booting(String name) {
        return new TrialGuest(name, null, "SeaBIOS\nlogin:");
    }

    @Test
    void aGuestThatBootsUnderKvmProvesIt() throws Exception {
        AccelerationChooser chooser = chooser(true, WITH_KVM);

        TrialGuest ready = settle(new KvmProof(chooser), booting("first"), null);

        assertThat(ready.name()).isEqualTo("first");
        assertThat(chooser.cachedAnswer()).contains(true);
        assertThat(events).isEmpty();
    }

    @Test
    void aKvmErrorWhenTheDomainStartsRecordsKvmAsBrokenAndMakesTheGuestUnderTcg() throws Exception {
        for (String error : List.of("internal error: process exited while connecting to monitor: "
                        + "qemu-system-x86_64: failed to initialize kvm: Permission denied",
                "Could not access KVM kernel module: No such file or directory",
                "qemu-system-x86_64: -accel kvm: error: KVM_CREATE_VM ioctl failed: Operation not permitted",
                "unsupported configuration: Domain requires KVM, but it is not available")) {
            chooser(true, WITH_KVM);
            // A cache of its own per error: each starts with the proof pending.
            AccelerationChooser chooser = new AccelerationChooser(dir.resolve("kvm"), () -> WITH_KVM,
                    dir.resolve("cache-" + events.size()), "host-1");
            KvmProof proof = new KvmProof(chooser);
            AccelerationChooser.Choice choice = proof.choose(SPEC, Acceleration.AUTO);
            int before = events.size();

            TrialGuest made = proof.afterFailedStart(choice, libvirtError(error), () -> {
                events.add("again under " + proof.choose(SPEC, Acceleration.AUTO).domainType());
                return booting("under-tcg");
            });

            assertThat(made.name()).as(error).isEqualTo("under-tcg");
            assertThat(events.subList(before, events.size())).as(error).containsExactly("again under qemu");
            assertThat(chooser.cachedAnswer()).as(error).contains(false);
            events.add(error);
        }
    }

    @Test
    void aStartFailureThatIsNotKvmsIsTheGuestsOwnAndLeavesTheProofPending() throws Exception {
        AccelerationChooser chooser = chooser(true, WITH_KVM);
        KvmProof proof = new KvmProof(chooser);
        AccelerationChooser.Choice choice = proof.choose(SPEC, Acceleration.AUTO);
        VirtunitException badImage = libvirtError("internal error: qemu unexpectedly closed the monitor: "
                + "qemu-system-x86_64: -blockdev ...: Image is not in qcow2 format");

        assertThatThrownBy(() -> proof.afterFailedStart(choice, badImage, () -> fail("retried under TCG")))
                .isSameAs(badImage);
        assertThat(chooser.cachedAnswer()).isEmpty();
        assertThat(proof.choose(SPEC, Acceleration.AUTO).proofPending()).isTrue();
    }

    @Test
    void aFailedLoginAfterBootIsTheGuestsOwnErrorNotRetriedAndNotRecorded() throws Exception {
        GuestNotReadyException refused = new GuestNotReadyException("guest vu-x-first will not become ready: "
                + "login as root refused", new LoginRefusedException("login as root refused", null));
        // No console at all (an image with no serial console): the refused login still proves the CPU ran.
        assertTheGuestsOwn(new TrialGuest("first", refused, ""), refused);
    }

    /** A failed cloud-init, a timeout after console output, an image that does not boot: what the guest printed. */
    static Stream<Arguments> failuresAfterConsoleOutput() {
        return Stream.of(
                Arguments.of("guest vu-x-first is not ready: cloud-init status: error (modules:config failed)",
                        "Debian GNU/Linux 12 first ttyS0\nfirst login:"),
                Arguments.of("guest vu-x-first was not ready within 5 s: waiting for 'SSH port open' (5.0 s); reached: "
                        + "domain running after 0.1 s", "SeaBIOS (version 1.16)\nBooting from Hard Disk..."),
                Arguments.of("guest vu-x-first did not boot: the firmware found no bootable disk",
                        "SeaBIOS\nNo bootable device."));
    }

    @ParameterizedTest
    @MethodSource("failuresAfterConsoleOutput")
    void aFailureAfterConsoleOutputIsTheGuestsOwnErrorNotRetriedAndNotRecorded(String message, String console)
            throws Exception {
        GuestNotReadyException failure = new GuestNotReadyException(message, null);
        assertTheGuestsOwn(new TrialGuest("first", failure, console), failure);
    }

    private void assertTheGuestsOwn(TrialGuest guest, RuntimeException failure) throws Exception {
        AccelerationChooser chooser = chooser(true, WITH_KVM);
        KvmProof proof = new KvmProof(chooser);

        assertThatThrownBy(() -> settle(proof, guest, booting("never"))).isSameAs(failure);

        assertThat(events).containsExactly("remove first");
        assertThat(chooser.cachedAnswer()).isEmpty();
        assertThat(proof.choose(SPEC, Acceleration.AUTO).proofPending()).isTrue();
    }

    @Test
    void aKvmErrorWhileAwaitingTheGuestRecordsKvmAsBroken() throws Exception {
        AccelerationChooser chooser = chooser(true, WITH_KVM);
        GuestNotReadyException stopped = new GuestNotReadyException("guest vu-x-first stopped before it was ready",
                libvirtError("qemu-system-x86_64: error: failed to set MSR 0x10a to 0x2000c04"));

        TrialGuest made = settle(new KvmProof(chooser), new TrialGuest("first", stopped, "SeaBIOS"), booting("tcg"));

        assertThat(made.name()).isEqualTo("tcg");
        assertThat(events).containsExactly("remove first", "again under qemu");
        assertThat(chooser.cachedAnswer()).contains(false);
    }

    @Test
    void aGuestQemuPausedWithAKvmInternalErrorAfterConsoleOutputRecordsKvmAsBroken() throws Exception {
        // This project's machines: SeaBIOS and SYSLINUX print, then KVM fails to run the guest and QEMU pauses it.
        AccelerationChooser chooser = chooser(true, WITH_KVM);
        GuestNotReadyException paused = new GuestNotReadyException("guest vu-x-first was paused by QEMU before it was "
                + "ready, while waiting for 'SSH port open' (3.0 s); reached: domain running after 0.0 s. QEMU's log "
                + "/var/log/libvirt/qemu/vu-x-first.log says:\nKVM internal error. Suberror: 1\nemulation failure", null);

        TrialGuest made = settle(new KvmProof(chooser), new TrialGuest("first", paused,
                "SeaBIOS (version 1.16.2)\nBooting from Hard Disk...\nSYSLINUX 6.04 EDD 20210613"), booting("tcg"));

        assertThat(made.name()).isEqualTo("tcg");
        assertThat(events).containsExactly("remove first", "again under qemu");
        assertThat(chooser.cachedAnswer()).contains(false);
    }

    @Test
    void noConsoleOutputUnderKvmButABootUnderTcgRecordsKvmAsBroken() throws Exception {
        AccelerationChooser chooser = chooser(true, WITH_KVM);
        GuestNotReadyException silent = new GuestNotReadyException("guest vu-x-first was not ready within 60 s", null);

        TrialGuest made = settle(new KvmProof(chooser), new TrialGuest("first", silent, ""), booting("tcg"));

        assertThat(made.name()).isEqualTo("tcg");
        assertThat(events).containsExactly("remove first", "again under qemu");
        assertThat(chooser.cachedAnswer()).contains(false);
        assertThat(chooser.choose(Acceleration.AUTO).domainType()).isEqualTo("qemu");
    }

    @Test
    void noConsoleOutputUnderKvmNorUnderTcgIsTheGuestsOwnErrorAndLeavesTheProofPending() throws Exception {
        AccelerationChooser chooser = chooser(true, WITH_KVM);
        KvmProof proof = new KvmProof(chooser);
        GuestNotReadyException silentUnderKvm = new GuestNotReadyException("guest vu-x-first timed out under KVM", null);
        GuestNotReadyException silentUnderTcg = new GuestNotReadyException("guest vu-x-first timed out under TCG", null);

        assertThatThrownBy(() -> settle(proof, new TrialGuest("first", silentUnderKvm, ""),
                new TrialGuest("tcg", silentUnderTcg, "")))
                .isSameAs(silentUnderTcg)
                .satisfies(e -> assertThat(e.getSuppressed()).containsExactly(silentUnderKvm));

        assertThat(events).containsExactly("remove first", "again under qemu", "remove tcg");
        assertThat(chooser.cachedAnswer()).isEmpty();
        // The TCG trial was for that one guest only: the next AUTO guest is the proof again.
        assertThat(proof.choose(SPEC, Acceleration.AUTO).proofPending()).isTrue();
    }

    private static VirtunitException libvirtError(String message) {
        return new LibvirtOperationException("cannot startDomain 'vu-x-first': " + message, 1, "VIR_ERR_INTERNAL_ERROR", null);
    }
}
