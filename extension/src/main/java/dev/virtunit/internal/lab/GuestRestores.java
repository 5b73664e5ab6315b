package dev.virtunit.internal.lab;

import dev.virtunit.BootSource;
import dev.virtunit.Graphics;
import dev.virtunit.GuestSpec;
import dev.virtunit.Seed;
import dev.virtunit.VirtunitException;
import dev.virtunit.internal.image.RestoreTemplates;
import dev.virtunit.internal.restore.IdentityChannel;
import dev.virtunit.internal.restore.IdentityMessage;
import dev.virtunit.internal.restore.SaveImage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * "Boot once, restore many": which guests start from a saved template instead of booting, the template they start
 * from ({@link RestoreTemplates}, saved by {@link TemplateBoot}), and the restore itself. A copy gets its own overlay on
 * the template's disk, its own domain (name, UUID, MACs, sockets, console log: written into its own copy of the save
 * image, see {@link SaveImage}), then its identity through its identity port ({@link IdentityMessage}: seed, MACs,
 * clock, random bytes), after which its image brings up the network and SSH as after a boot.
 *
 * <p>Off unless {@code virtunit.restore=on}. A guest that cannot be restored boots as usual, and the log says why
 * ({@link #whyNot}); so does one whose template cannot be saved.
 */
final class GuestRestores {

    /** The system property that turns restoring on ({@code true}) or off (the default). */
    static final String SETTING = "virtunit.restore";
    /** Bump when the template's boot or the identity protocol changes: every template is saved again. */
    static final String RECIPE = "2";
    /** The line {@code scripts/build-test-image} writes into an image's manifest when its image has template mode. */
    static final String TEMPLATE_MODE_FEATURE = "feature: identity port dev.virtunit.identity (restore template mode)";

    private static final Logger LOG = LoggerFactory.getLogger(GuestRestores.class);
    private static final Pattern MAC = Pattern.compile("<mac address=['\"]([0-9a-fA-F:]{17})['\"]");

    private final LabSession lab;
    private final RestoreTemplates templates;
    private final boolean enabled;

    GuestRestores(LabSession lab, RestoreTemplates templates, boolean enabled) {
        this.lab = lab;
        this.templates = templates;
        this.enabled = enabled;
    }

    /** Whether {@code virtunit.restore} asks for restoring: {@code on} (or {@code true}); off by default. */
    static boolean enabledBySetting() {
        String value = System.getProperty(SETTING, "off").strip().toLowerCase(java.util.Locale.ROOT);
        return value.equals("on") || value.equals("true");
    }

    /**
     * The template {@code guest} is restored from, saved now if this is the first guest of its shape; empty (logged
     * with the reason) when it boots instead.
     *
     * @param nics         the guest's NICs as planned
     * @param identityPort the socket its identity port will have
     */
    Optional<RestoreTemplates.Template> templateFor(GuestSpec spec, DiskImage image, List<DomainPlan.Nic> nics,
                                                   String guest, String domainType, Path identityPort) {
        if (!enabled) {
            return Optional.empty();
        }
        Optional<String> whyNot = whyNot(spec, image.path(), identityPort);
        if (whyNot.isPresent()) {
            LOG.info("guest {} boots instead of being restored: {}", guest, whyNot.get());
            return Optional.empty();
        }
        Shape shape = Shape.of(spec, domainType, nics);
        RestoreTemplates.Result result = templates.template(image.path(), shape.describe(),
                new TemplateBoot(lab, shape, spec.bootTimeout().orElse(lab.config().bootTimeout())));
        if (result.template().isEmpty()) {
            LOG.info("guest {} boots instead of being restored: {}", guest, result.whyNot());
        }
        return result.template();
    }

    /**
     * Why {@code spec} cannot be restored from a template, if it cannot: what a template does not have, or what a
     * restored guest would not do as a booted one does.
     */
    static Optional<String> whyNot(GuestSpec spec, Path image, Path identityPort) {
        List<String> reasons = new ArrayList<>();
        if (!(spec.bootSource() instanceof BootSource.DiskImage) || spec.bootSource().cdrom().isPresent()) {
            reasons.add("it boots from " + spec.bootSource() + ", and only a disk image alone has templates");
        }
        if (spec.seed() != Seed.NOCLOUD) {
            reasons.add("it has no NoCloud seed (seed = " + spec.seed() + "), and a restored guest learns who it is "
                    + "from its seed");
        }
        if (!spec.blankDisksMiB().isEmpty()) {
            reasons.add("it has blank disks, which templates do not have");
        }
        if (spec.readyWhen().isPresent()) {
            reasons.add("it waits for the console line '" + spec.readyWhen().get() + "', which a restored guest does "
                    + "not print again");
        }
        if (!IdentityChannel.fits(identityPort)) {
            reasons.add("its identity port's socket path " + identityPort + " is longer than "
                    + IdentityChannel.MAX_PATH_BYTES + " bytes; use a shorter virtunit.state.dir");
        }
        if (reasons.isEmpty() && !hasTemplateMode(image)) {
            reasons.add("its image " + image + " has no template mode (only virtunit's tiny image built by "
                    + "scripts/build-test-image from this version on waits for its identity on a port; its manifest "
                    + "says '" + TEMPLATE_MODE_FEATURE + "')");
        }
        return reasons.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", reasons));
    }

    /** Whether the manifest beside the image's real file says it has template mode. */
    static boolean hasTemplateMode(Path image) {
        try {
            Path manifest = image.toRealPath().resolveSibling("manifest.txt");
            return Files.isRegularFile(manifest)
                    && Files.readString(manifest, StandardCharsets.UTF_8).contains(TEMPLATE_MODE_FEATURE);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Restores the defined domain {@code guest} from {@code template}: a copy of the template's save image with the
     * domain's own XML, restored and removed, then the guest's identity through its port.
     *
     * @param newMacs the guest's MAC of each NIC, in order
     * @param timeout how long the guest may take to answer on its identity port
     */
    void restore(String guest, RestoreTemplates.Template template, List<String> newMacs, Map<String, String> seedFiles,
                 Path identityPort, Duration timeout) {
        SaveImage saved = SaveImage.read(template.memory());
        Path copy = lab.pool().dir().resolve(guest + ".save");
        try {
            Files.deleteIfExists(copy);
            saved.copyWithXml(template.memory(), lab.hypervisor().domainXml(guest), copy);
            lab.hypervisor().restoreDomain(copy);
        } catch (IOException e) {
            throw new VirtunitException("cannot write the save image of " + guest + " to " + copy + ": " + e, e);
        } finally {
            try {
                Files.deleteIfExists(copy);
            } catch (IOException e) {
                LOG.warn("cannot remove {} ({}); the run's pool folder goes with the run", copy, e.toString());
            }
        }
        IdentityChannel.send(identityPort, IdentityMessage.now(macPairs(templateMacs(saved.domainXml()), newMacs, guest),
                seedFiles), guest, timeout);
    }

    /** The MACs of the template's NICs, in order. */
    static List<String> templateMacs(String domainXml) {
        List<String> macs = new ArrayList<>();
        Matcher matcher = MAC.matcher(domainXml);
        while (matcher.find()) {
            macs.add(matcher.group(1));
        }
        return macs;
    }

    /** Template MAC to guest MAC, NIC by NIC; the shape key makes their numbers equal. */
    static Map<String, String> macPairs(List<String> templateMacs, List<String> guestMacs, String guest) {
        if (templateMacs.size() != guestMacs.size()) {
            throw new VirtunitException("the template of " + guest + " has " + templateMacs.size() + " NICs and the "
                    + "guest " + guestMacs.size() + "; the template cache's key should have told them apart: remove "
                    + "<cache dir>/images/templates and report it");
        }
        Map<String, String> pairs = new LinkedHashMap<>();
        for (int i = 0; i < templateMacs.size(); i++) {
            pairs.put(templateMacs.get(i), guestMacs.get(i));
        }
        return pairs;
    }

    /**
     * What a copy shares with its template, each part of the template's key: QEMU takes a saved state only into the
     * same machine (memory, vCPUs, accelerator, devices and their features), from the same emulator.
     *
     * @param nics the NICs of the first guest of this shape; the template's NICs join the same segments
     */
    record Shape(int memoryMiB, int vcpus, String domainType, boolean vnc, List<DomainPlan.Nic> nics, String emulator) {

        static Shape of(GuestSpec spec, String domainType, List<DomainPlan.Nic> nics) {
            return new Shape(spec.memoryMiB(), spec.vcpus(), domainType, spec.graphics() == Graphics.VNC, nics,
                    emulatorFingerprint(Path.of("/usr/bin/qemu-system-x86_64")));
        }

        String describe() {
            return "recipe " + RECIPE + "; memory " + memoryMiB + " MiB; vcpus " + vcpus + "; domain type "
                    + domainType + "; vnc " + vnc + "; disk virtio vda only; NICs virtio, checksum offload "
                    + nics.stream().map(n -> n.checksumOffload() ? "on" : "off").collect(Collectors.joining(","))
                    // QEMU's virtio-net carries the MTU (host_mtu); said only when one differs, so other keys stay.
                    + (nics.stream().allMatch(n -> n.mtu() == DomainPlan.Nic.ETHERNET_MTU) ? "" : "; MTU "
                            + nics.stream().map(n -> Integer.toString(n.mtu())).collect(Collectors.joining(",")))
                    + "; identity port and genid; emulator " + emulator + "; virtunit "
                    + Optional.ofNullable(GuestRestores.class.getPackage().getImplementationVersion()).orElse("dev");
        }
    }

    /** The emulator's size and time of change: a new QEMU is a new key. */
    static String emulatorFingerprint(Path emulator) {
        try {
            return emulator.toRealPath() + " " + Files.size(emulator) + " bytes, changed "
                    + Files.getLastModifiedTime(emulator);
        } catch (IOException e) {
            return emulator + " (unreadable: " + e.getMessage() + ")";
        }
    }
}
