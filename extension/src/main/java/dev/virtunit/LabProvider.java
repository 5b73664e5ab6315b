package dev.virtunit;

/**
 * How {@link Lab#start(LabConfig)} finds the implementation that makes labs, through {@link java.util.ServiceLoader},
 * so this package's API depends on no implementation package. virtunit registers its own in
 * {@code META-INF/services/dev.virtunit.LabProvider}; tests and users call {@link Lab#start()} rather than this.
 *
 * @since 0.2
 */
public interface LabProvider {

    /** Connects to libvirt and sets a run up, as {@link Lab#start(LabConfig)} documents. */
    Lab start(LabConfig config);
}
