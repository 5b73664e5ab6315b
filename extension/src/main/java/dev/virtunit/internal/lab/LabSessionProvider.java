package dev.virtunit.internal.lab;

import dev.virtunit.Lab;
import dev.virtunit.LabConfig;
import dev.virtunit.LabProvider;

/** virtunit's own {@link LabProvider}: a {@link LabSession} on libvirt. Registered under META-INF/services. */
public final class LabSessionProvider implements LabProvider {

    @Override
    public Lab start(LabConfig config) {
        return LabSession.start(config);
    }
}
