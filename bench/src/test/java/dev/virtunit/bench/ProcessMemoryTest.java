package dev.virtunit.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProcessMemoryTest {

    @Test
    void readsVmRssInKib() {
        String status = "Name:\tqemu-system-x86\nVmPeak:\t 2000000 kB\nVmRSS:\t  301234 kB\nThreads:\t5\n";

        assertThat(ProcessMemory.vmRssKib(status, "qemu of g1")).isEqualTo(301234);
    }

    @Test
    void aStatusWithoutVmRssIsNamed() {
        assertThatThrownBy(() -> ProcessMemory.vmRssKib("Name:\tkthreadd\nState:\tS\n", "qemu of g1"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("qemu of g1 has no VmRSS in its status: it is gone or not a user process");
    }

    @Test
    void aVmRssLineInAnotherUnitIsRefused() {
        assertThatThrownBy(() -> ProcessMemory.vmRssKib("VmRSS:\t 300 MB\n", "qemu of g1"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("'VmRSS:\t 300 MB'");
    }

    @Test
    void theJvmsOwnFiguresAreRead() {
        JvmSample sample = ProcessMemory.jvm();

        assertThat(sample.rssKib()).isPositive();
        assertThat(sample.heapUsedKib()).isPositive();
    }

    @Test
    void aDomainWithoutAQemuSaysSo() {
        assertThatThrownBy(() -> ProcessMemory.qemuRssKib("vu-000000-no-such-domain"))
                .hasMessageContaining("cannot read the memory of domain vu-000000-no-such-domain's qemu");
    }
}
