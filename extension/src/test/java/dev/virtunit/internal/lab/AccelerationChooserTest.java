package dev.virtunit.internal.lab;

import dev.virtunit.Acceleration;
import dev.virtunit.InvalidDeclarationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** KVM is chosen only once proven; the machine kind this project runs on lists a KVM that boots nothing. */
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
}
