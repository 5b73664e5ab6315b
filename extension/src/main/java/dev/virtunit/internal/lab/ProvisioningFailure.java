package dev.virtunit.internal.lab;

import dev.virtunit.InvalidDeclarationException;
import dev.virtunit.VirtunitException;
import dev.virtunit.internal.libvirt.LibvirtOperationException;

/**
 * The failure of one step while an element of the lab (a bridge, a guest) was being made, told with that element:
 * the step's own message names a veth end, a tap or a volume, which a reader cannot map to the bridge or guest of
 * the test. "cannot create OVS bridge vu1a2b3cb0: cannot create veth pair vu1a2b3cb0p/vu1a2b3cb0g: ip link add ...
 * failed with exit code 2: RTNETLINK answers: Operation not permitted".
 */
final class ProvisioningFailure {

    private ProvisioningFailure() {
    }

    /**
     * {@code failure} with {@code element} ("OVS bridge vu1a2b3cb0", "guest vu-1a2b3c-web") in front. A declaration
     * problem already names its element, its rule and the remedy and stays as it is; a libvirt failure keeps its type
     * and libvirt's code, so that callers can still tell what libvirt said.
     */
    static RuntimeException naming(String element, RuntimeException failure) {
        if (failure instanceof InvalidDeclarationException) {
            return failure;
        }
        String message = "cannot create " + element + ": " + failure.getMessage();
        if (failure instanceof LibvirtOperationException libvirt) {
            return new LibvirtOperationException(message, libvirt.errorCode(), libvirt.errorName(), failure);
        }
        return new VirtunitException(message, failure);
    }
}
