package dev.virtunit;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code virtunit.firstboot.cache}: on unless set off; any other value is refused naming the values allowed. */
class LabConfigFirstBootCacheTest {

    private static LabConfig resolve(Map<String, String> parameters) {
        return LabConfig.resolve(key -> Optional.ofNullable(parameters.get(key)));
    }

    @Test
    void theCacheIsOnByDefaultAndOffWhenSetOff() {
        assertThat(resolve(Map.of()).firstBootCache()).isFalse();
        assertThat(resolve(Map.of("virtunit.firstboot.cache", "on")).firstBootCache()).isTrue();
        assertThat(resolve(Map.of("virtunit.firstboot.cache", "off")).firstBootCache()).isFalse();
        assertThat(resolve(Map.of("virtunit.firstboot.cache", "ON")).firstBootCache()).isTrue();
        assertThat(resolve(Map.of()).withFirstBootCache(false).firstBootCache()).isFalse();
    }

    @Test
    void anotherValueIsRefusedWithTheValuesAllowed() {
        assertThatThrownBy(() -> resolve(Map.of("virtunit.firstboot.cache", "maybe")))
                .isInstanceOf(InvalidDeclarationException.class)
                .hasMessage("configuration parameter virtunit.firstboot.cache is 'maybe'; allowed: on, off");
    }
}
