package dev.virtunit.examples;

import dev.virtunit.Guest;
import dev.virtunit.junit.LibvirtGuest;
import dev.virtunit.junit.LibvirtTest;
import org.junit.jupiter.api.Test;

import static dev.virtunit.assertions.VirtunitAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The seed's "create a domain for an already-created VM":
 * <pre>
 * virt-install --connect qemu:///system --hvm --name debian-base --memory 512 \
 *              --disk /home/pete/.qemu-vms/debian-base.img --graphics vnc --import
 * </pre>
 * as one annotated field. The guest runs on a copy-on-write overlay: your image is never written. Point
 * {@code image} at your own disk image; {@code ${virtunit.testImage}} is the tiny image the build makes.
 */
@LibvirtTest
class ImportDiskImageExample {

    @LibvirtGuest(image = "${virtunit.testImage}", memoryMiB = 512)
    static Guest debianBase;

    @Test
    void theImportedGuestBootsAndAnswersSsh() {
        assertThat(debianBase.ssh().exec("uname -sr")).succeeded().stdoutContains("Linux");
        assertThat(debianBase.info().maxMemoryKiB()).isEqualTo(512 * 1024);
    }

    @Test
    void itRunsOnAnOverlayNotOnTheImageItself() {
        // virsh domblklist: the guest's disk is an overlay of ours, backed by the image.
        assertThat(debianBase.disks().get(0).source()).endsWith(debianBase.name() + "-disk.qcow2");
        assertThat(debianBase.xml()).containsPattern("<backingStore type='file'[^>]*>\\s*<format type='qcow2'/>\\s*"
                + "<source file='[^']*tiny.qcow2'/>");
    }
}
