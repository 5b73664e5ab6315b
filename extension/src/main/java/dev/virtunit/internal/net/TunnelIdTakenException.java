package dev.virtunit.internal.net;

import dev.virtunit.VirtunitException;

/**
 * A VXLAN link could not be made because its tunnel id (VNI) is taken on that host: another VXLAN link there uses the
 * same id on the same UDP port and local address (the kernel cannot tell their frames apart). Not a fault of the
 * caller's: whoever chose the id (a pool of hosts joining a bridge across them) chooses another and tries again.
 *
 * @since 0.4
 */
public final class TunnelIdTakenException extends VirtunitException {

    private static final long serialVersionUID = 1L;

    private final int vni;

    public TunnelIdTakenException(int vni, String message, Throwable cause) {
        super(message, cause);
        this.vni = vni;
    }

    /** {@return the tunnel id that is taken} */
    public int vni() {
        return vni;
    }
}
