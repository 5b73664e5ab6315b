package dev.virtunit;

/**
 * The guest's graphical console. The serial console is always captured to a log, whatever this says.
 *
 * @since 0.1
 */
public enum Graphics {
    /** No graphics device; the serial console is the only console. */
    NONE,
    /** A VNC server on the host's loopback, as {@code virt-install --graphics vnc} gives; connect with virt-viewer. */
    VNC
}
