package dev.virtunit.internal.net;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NetworkNamesTest {

    @ParameterizedTest
    @ValueSource(strings = {"vunt1a2bgw", "vu1a2b3c-br0", "v", "vunt.10", "vu_a", "123456789012345"})
    void acceptsPlainInterfaceNames(String name) {
        assertThat(NetworkNames.interfaceName(name)).isEqualTo(name);
    }

    @Test
    void rejectsAnInterfaceNameOfSixteenCharacters() {
        assertThatThrownBy(() -> NetworkNames.interfaceName("vunt1a2b-gateway"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("interface name 'vunt1a2b-gateway' has 16 characters; Linux allows at most 15 characters");
    }

    @ParameterizedTest
    @ValueSource(strings = {"vu nt", "vu/nt", "vu:nt", "-vunt", ".vunt", "vu\"nt", "vu'nt", "vu;nt", "vünt", "vu\nnt"})
    void rejectsCharactersThatNeedQuotingOrLookLikeOptions(String name) {
        assertThatThrownBy(() -> NetworkNames.interfaceName(name))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("interface name '" + name + "' may only contain letters, digits, '_', '.' and '-', "
                        + "starting with a letter or digit");
    }

    @Test
    void rejectsEmptyAndNull() {
        assertThatThrownBy(() -> NetworkNames.interfaceName("")).hasMessage("interface name is empty");
        assertThatThrownBy(() -> NetworkNames.interfaceName(null)).hasMessage("interface name is null");
    }

    @Test
    void namespaceNamesMayBeLongerThanInterfaceNames() {
        assertThat(NetworkNames.namespaceName("vunt1a2b-upstream-host")).isEqualTo("vunt1a2b-upstream-host");
        assertThatThrownBy(() -> NetworkNames.namespaceName("vunt/../../etc"))
                .hasMessageStartingWith("network namespace name 'vunt/../../etc' may only contain");
        assertThatThrownBy(() -> NetworkNames.namespaceName("v".repeat(65)))
                .hasMessageContaining("has 65 characters");
    }

    @Test
    void tableNamesAreIdentifiersStartingWithVu() {
        assertThat(NetworkNames.tableName("vu_1a2b3c")).isEqualTo("vu_1a2b3c");
        assertThat(NetworkNames.tableName("vunt1a2b_nat")).isEqualTo("vunt1a2b_nat");
        assertThatThrownBy(() -> NetworkNames.tableName("filter")).hasMessageContaining("must start with 'vu'");
        assertThatThrownBy(() -> NetworkNames.tableName("vu-1")).hasMessageContaining("may only contain letters, digits and '_'");
    }
}
