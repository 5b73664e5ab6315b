package dev.virtunit;

import java.util.ServiceLoader;

/** Finds the registered {@link LabProvider} once. */
final class Providers {

    private static volatile LabProvider found;

    private Providers() {
    }

    static LabProvider labProvider() {
        LabProvider provider = found;
        if (provider == null) {
            provider = ServiceLoader.load(LabProvider.class, Lab.class.getClassLoader()).findFirst()
                    .orElseThrow(() -> new VirtunitException("no " + LabProvider.class.getName() + " is registered; "
                            + "is virtunit's jar (with its META-INF/services) on the class path?"));
            found = provider;
        }
        return provider;
    }
}
