package dev.virtunit.internal.libvirt;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LibvirtCallsTest extends OnTestDriver {

    @Test
    void aMinusOneWithoutAnErrorIsReportedWithTheOperation() {
        assertThatThrownBy(() -> calls.call("count the widgets of domain 'test'", c -> LibvirtHandles.check(-1)))
                .hasMessage("cannot count the widgets of domain 'test': libvirt returned -1 without saying why")
                .satisfies(thrown -> {
                    assertThat(failure(thrown).errorName()).isEqualTo("VIR_ERR_UNKNOWN");
                    assertThat(failure(thrown).errorCode()).isEqualTo(-1);
                });
        int counted = calls.call("count", c -> LibvirtHandles.check(0));
        assertThat(counted).isZero();
    }

    @Test
    void aLibvirtFailureCarriesTheOperationLibvirtsMessageAndItsCode() {
        assertThatThrownBy(() -> calls.call("look at network 'vu-unit-none'",
                c -> c.networkLookupByName("vu-unit-none")))
                .hasMessageStartingWith("cannot look at network 'vu-unit-none': Network not found")
                .satisfies(thrown -> {
                    assertThat(failure(thrown).errorName()).isEqualTo("VIR_ERR_NO_NETWORK");
                    assertThat(failure(thrown).errorCode()).isEqualTo(43);
                });
    }

    @Test
    void namesOfActiveObjectsComeFirstAndEachOnce() {
        assertThat(LibvirtHandles.activeThenInactive(new String[] {"b", "a"}, new String[] {"c", "a"}))
                .containsExactly("b", "a", "c");
    }
}
