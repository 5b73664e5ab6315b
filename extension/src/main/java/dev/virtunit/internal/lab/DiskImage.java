package dev.virtunit.internal.lab;

import java.io.IOException;
import dev.virtunit.InvalidDeclarationException;
import dev.virtunit.internal.host.CommandFailedException;
import dev.virtunit.internal.host.HostCommands;
import dev.virtunit.internal.text.Xml;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A disk image a guest imports, as {@code qemu-img info} sees it: its format (detected, never guessed from the
 * file name) and virtual size. Guests never write it: they run on a copy-on-write overlay.
 *
 * @param path        the image, absolute and with symbolic links resolved (a backing path must not move)
 * @param format      {@code qcow2} or {@code raw}
 * @param virtualSize the size the guest sees, in bytes
 */
public record DiskImage(Path path, String format, long virtualSize) {

    private static final Pattern FORMAT = Pattern.compile("\"format\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern VIRTUAL_SIZE = Pattern.compile("\"virtual-size\"\\s*:\\s*(\\d+)");

    /**
     * Inspects {@code image} with {@code qemu-img}, run through {@code host}.
     *
     * @param origin what declared it, for messages, e.g. {@code @LibvirtGuest field [NatTest.router]}
     */
    public static DiskImage inspect(Path image, String origin, HostCommands host) {
        Path real;
        try {
            real = image.toRealPath();
        } catch (IOException e) {
            throw new InvalidDeclarationException(origin + ": image '" + image + "' cannot be read: " + e.getMessage());
        }
        String json;
        try {
            json = host.check(Duration.ofSeconds(60), List.of("qemu-img", "info", "--output=json", real.toString())).stdout();
        } catch (CommandFailedException e) {
            throw new InvalidDeclarationException(origin + ": image '" + image + "' is not a disk image qemu-img can read: "
                    + e.getMessage());
        }
        // The image's own entry comes first; a backing file's entry (with --backing-chain) would follow.
        Matcher format = FORMAT.matcher(json);
        Matcher size = VIRTUAL_SIZE.matcher(json);
        if (!format.find() || !size.find()) {
            throw new InvalidDeclarationException(origin + ": qemu-img did not report format and size of '" + image + "': " + json);
        }
        String detected = format.group(1);
        if (detected.equals("raw") && image.getFileName().toString().endsWith(".qcow2")) {
            // Any bytes read as raw: a damaged or truncated qcow2 would boot as garbage and time out much later.
            throw new InvalidDeclarationException(origin + ": image '" + image + "' is named .qcow2, but qemu-img finds "
                    + "no qcow2 header in it (it reads as raw bytes): the file is damaged or not what its name says; "
                    + "download or build it again, and check it with qemu-img check");
        }
        if (!detected.equals("qcow2") && !detected.equals("raw")) {
            throw new InvalidDeclarationException(origin + ": image '" + image + "' is " + detected + "; virtunit imports "
                    + "qcow2 and raw images. Convert it: qemu-img convert -O qcow2 " + image + " image.qcow2");
        }
        return new DiskImage(real, detected, Long.parseLong(size.group(1)));
    }

    /** libvirt volume XML for a qcow2 overlay named {@code volume} on top of this image. */
    public String overlayVolumeXml(String volume) {
        return Xml.element("volume")
                .child(Xml.element("name").text(volume))
                .child(Xml.element("capacity").attribute("unit", "bytes").text(virtualSize))
                .child(qcow2Target())
                .child(Xml.element("backingStore")
                        .child(Xml.element("path").text(path.toString()))
                        .child(Xml.element("format").attribute("type", format)))
                .render();
    }

    /** libvirt volume XML for a blank thin qcow2 disk. */
    public static String blankVolumeXml(String volume, long sizeMiB) {
        return Xml.element("volume")
                .child(Xml.element("name").text(volume))
                .child(Xml.element("capacity").attribute("unit", "MiB").text(sizeMiB))
                .child(Xml.element("allocation").attribute("unit", "MiB").text(0))
                .child(qcow2Target())
                .render();
    }

    private static Xml.Element qcow2Target() {
        return Xml.element("target").child(Xml.element("format").attribute("type", "qcow2"));
    }
}
