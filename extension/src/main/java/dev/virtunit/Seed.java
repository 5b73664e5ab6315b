package dev.virtunit;

/**
 * How a guest learns who it is: from a cloud-init seed virtunit writes, or from nothing but its own image.
 *
 * @since 0.2
 */
public enum Seed {
    /**
     * A NoCloud {@code cidata} CD-ROM with the guest's hostname, addresses, virtunit's client key and a fresh host
     * key that SSH then verifies: for cloud images (cloud-init with the NoCloud datasource) and virtunit's tiny image.
     */
    NOCLOUD,
    /**
     * No seed at all: appliances and hand-made images that configure themselves. virtunit logs in with what the image
     * already accepts ({@code identityFile} or {@code password}), verifies the host key it presents by a pinned
     * fingerprint ({@code hostKey}) or trusts the first one it sees for the guest's whole life, and learns the
     * guest's address from libvirt's DHCP lease, or takes a declared address as the one the image configures itself.
     */
    NONE
}
