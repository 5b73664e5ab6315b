package dev.virtunit;

import dev.virtunit.internal.lab.LabSessionProvider;
import org.junit.jupiter.api.Test;

import java.util.ServiceLoader;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link Lab#start()} reaches its implementation as a service, so the public package imports no internal one. */
class LabStartTest {

    @Test
    void virtunitsOwnProviderIsRegistered() {
        assertThat(ServiceLoader.load(LabProvider.class).stream().map(ServiceLoader.Provider::type))
                .containsExactly(LabSessionProvider.class);
    }
}
