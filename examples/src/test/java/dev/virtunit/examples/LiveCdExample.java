package dev.virtunit.examples;

import dev.virtunit.observe.DiskInfo;
import dev.virtunit.Graphics;
import dev.virtunit.Guest;
import dev.virtunit.junit.LibvirtGuest;
import dev.virtunit.junit.LibvirtTest;
import org.junit.jupiter.api.Test;

import static dev.virtunit.assertions.VirtunitAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The seed's live CD:
 * <pre>
 * virt-install --connect qemu:///system --hvm --name debian-live --memory 512 \
 *              --disk none --livecd --graphics vnc --cdrom debian-live-9.5.0-amd64-xfce.iso
 * </pre>
 * The guest boots from the ISO with no disk at all, with a VNC console on the host's loopback
 * ({@code virt-viewer <name>} connects to it) and its serial console captured either way.
 */
@LibvirtTest
class LiveCdExample {

    @LibvirtGuest(liveCd = "${virtunit.liveIso}", memoryMiB = 512, graphics = Graphics.VNC)
    static Guest debianLive;

    @Test
    void bootsFromTheCdWithNoDisk() {
        assertThat(debianLive.disks()).extracting(DiskInfo::device).containsOnly("cdrom");
        assertThat(debianLive.ssh().exec("cat /proc/cmdline")).succeeded();
    }

    @Test
    void hasAVncConsoleOnLoopback() {
        assertThat(debianLive.xml()).containsPattern("<graphics type='vnc' port='59\\d\\d'[^>]*listen='127.0.0.1'");
    }
}
