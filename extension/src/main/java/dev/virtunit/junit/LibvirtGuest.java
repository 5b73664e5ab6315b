package dev.virtunit.junit;

import dev.virtunit.Graphics;
import dev.virtunit.Guest;
import dev.virtunit.Seed;

import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares a guest on a field or parameter of type {@link Guest}. A static field holds one guest for the whole
 * class, an instance field one per test, a parameter one for that test; each is ready (running, addressed,
 * answering SSH) when the test sees it and removed afterwards.
 * <pre>{@code
 * @LibvirtTest
 * class RouterTest {
 *     @LibvirtGuest(image = "images/router.qcow2", memoryMiB = 512)
 *     static Guest router;
 * }
 * }</pre>
 * Compose it: {@code @LibvirtGuest(image = "router.qcow2") @Retention(RUNTIME) @interface RouterGuest {}} lets a
 * test declare {@code @RouterGuest static Guest router;}. Paths may use {@code ${name}}, replaced by the system
 * property or environment variable {@code name}.
 *
 * @since 0.1
 */
@Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@ExtendWith(LibvirtExtension.class)
public @interface LibvirtGuest {

    /**
     * Disk image to import (qcow2 or raw; the guest runs on an overlay, the image is never written): a path on this
     * host; an {@code http://} or {@code https://} URL, downloaded once into the cache ({@code virtunit.cache.dir})
     * and unpacked if it is {@code .xz} or {@code .gz}; or {@code virtunit:tiny}, the project's tiny image, built on
     * first use.
     *
     * @return the image path, URL or {@code virtunit:tiny}; empty when the guest boots from {@link #liveCd()} or {@link #cdrom()}
     */
    String image() default "";

    /**
     * The {@code sha256:<64 hex digits>} an {@link #image()} URL's file must have, as the server sends it (compressed,
     * if it is); empty: not verified, and virtunit logs the digest it computed so it can be pinned here.
     *
     * @return the expected digest, or empty for none
     * @since 0.2
     */
    String imageDigest() default "";

    /** {@return ISO to boot with no disk at all, as {@code virt-install --livecd --disk none}} */
    String liveCd() default "";

    /**
     * ISO in the CD-ROM drive. With {@link #installDiskMiB()} it is an installer that writes a new blank disk,
     * which later boots ({@code virt-install --disk size=N --cdrom ISO}); with {@link #image()} it is just inserted.
     *
     * @return the ISO path or URL; empty for no CD-ROM
     */
    String cdrom() default "";

    /** {@return size in MiB of the blank disk an installer {@link #cdrom()} installs onto; 0 when there is no installer} */
    long installDiskMiB() default 0;

    /** {@return the libvirt domain name; empty means a unique {@code vu-<run>-<field>}. A name that is taken fails} */
    String name() default "";

    /** {@return the guest's memory in MiB} */
    int memoryMiB() default 256;

    /** {@return the number of virtual CPUs} */
    int vcpus() default 1;

    /** {@return extra blank disks, by size in MiB (vdb, vdc, ...)} */
    long[] blankDisksMiB() default {};

    /** {@return the graphical console the guest gets; {@link Graphics#NONE} (the default) for a serial console only} */
    Graphics graphics() default Graphics.NONE;

    /** {@return {@code auto}, {@code kvm} or {@code tcg}; empty means the configured {@code virtunit.acceleration}} */
    String acceleration() default "";

    /**
     * The {@link OvsBridge} or {@link LinuxBridge} field of the test class the guest's NIC joins; empty: an
     * isolated network of virtunit's own, reachable from the host. For several NICs use {@link #nics()}.
     *
     * @return the field name, or empty for virtunit's own network
     */
    String network() default "";

    /** {@return several NICs, eth0 first; instead of {@link #network()}} */
    Nic[] nics() default {};

    /** {@return VLAN tag of the guest's port on an Open vSwitch {@link #network()}; 0 for none} */
    int vlan() default 0;

    /** {@return static address in CIDR notation; empty means virtunit picks a free one (or DHCP, with {@link #dhcp()})} */
    String address() default "";

    /**
     * Take the address from the network's DHCP server; virtunit learns it from the lease.
     *
     * @return true for DHCP; false (the default) for a static address, declared or picked by virtunit
     */
    boolean dhcp() default false;

    /** {@return default gateway for a static address; empty means the network's own} */
    String gateway() default "";

    /** {@return extra {@code #cloud-config} merged into virtunit's seed} */
    String userData() default "";

    /** {@return like {@link #userData()}, read from this classpath resource} */
    String userDataResource() default "";

    /** {@return the user SSH logs in as} */
    String user() default "root";

    /** {@return seconds the guest may take to become ready; 0 means the configured {@code virtunit.boot.timeout}} */
    int bootTimeoutSeconds() default 0;

    /**
     * Whether readiness waits for an SSH login; false for images without SSH. Without it a guest is ready once it
     * runs, or once its console shows {@link #readyWhen()}.
     *
     * @return true (the default) to wait for an SSH login
     */
    boolean awaitSsh() default true;

    // ---- images without cloud-init ----

    /**
     * {@link Seed#NOCLOUD}: virtunit writes a cloud-init seed (hostname, addresses, its key, a fresh host key).
     * {@link Seed#NONE}: an appliance or hand-made image that configures itself; no seed is attached, SSH logs in with
     * {@link #identityFile()} or {@link #password()}, the host key is {@link #hostKey()} or trusted on first use, and
     * an address not declared is learned from the DHCP lease (the default network serves DHCP).
     *
     * @return how the guest is configured on first boot
     * @since 0.2
     */
    Seed seed() default Seed.NOCLOUD;

    /**

     * {@return with seed NONE: the password {@link #user()} already has; {@code ${name}} is expanded}

     *

     * @since 0.2

     */
    String password() default "";

    /**

     * {@return with seed NONE: the private key file the image already accepts; {@code ${name}} is expanded}

     *

     * @since 0.2

     */
    String identityFile() default "";

    /**
     * With seed NONE: the {@code SHA256:...} fingerprint of the image's host key ({@code ssh-keygen -lf key.pub});
     * {@code ${name}} is expanded. Empty: the first key seen is trusted, logged, and required from then on.
     *
     * @return the host key fingerprint, or empty to trust on first use
     * @since 0.2
     */
    String hostKey() default "";

    /**
     * Ready when a serial console line shows this, literally or as a regular expression, e.g. {@code "login:"};
     * with {@code awaitSsh = false} nothing else is awaited.
     *
     * @return the text or pattern to wait for; empty: none
     * @since 0.2
     */
    String readyWhen() default "";

    // ---- a lab over several hosts ----

    /**
     * The host the guest must run on: the name of a host in {@code virtunit.hosts}; {@code ${name}} is expanded.
     * Meaningful only in a lab over several hosts; in a lab of one host it must be empty or name that host (the lab
     * checks when it places the guest).
     *
     * @return the host's name, e.g. {@code kvm1}; empty (the default): virtunit chooses one by free capacity
     * @since 0.4
     */
    String host() default "";
}
