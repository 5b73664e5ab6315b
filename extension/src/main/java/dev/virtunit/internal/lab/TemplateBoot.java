package dev.virtunit.internal.lab;

import dev.virtunit.VirtunitException;
import dev.virtunit.internal.image.RestoreTemplates;
import dev.virtunit.internal.libvirt.Hypervisor;
import org.awaitility.core.ConditionTimeoutException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.awaitility.Awaitility.await;

/**
 * The one boot that saves a restore template ({@link RestoreTemplates.Preparation}): a domain of the shape's devices
 * on an overlay of the image, with an identity port and no seed, started until its console says it waits for its
 * identity (the tiny image's template mode), then saved ({@code virsh save}); its overlay is the cache's file, frozen
 * from then on. Nothing of a test is in it: the copies get their seed through the port. The domain, console log and
 * socket are removed whatever happens.
 */
final class TemplateBoot implements RestoreTemplates.Preparation {

    /** The console line of the tiny image's template mode ({@code cil_template_identity}). */
    static final String WAITING = "virtunit-init: template: waiting for identity";
    /** The line of an image that booted through instead: it has no template mode. */
    static final String BOOTED_THROUGH = "virtunit-init: boot finished";

    private static final Duration QEMU_IMG = Duration.ofSeconds(30);

    private final LabSession lab;
    private final GuestRestores.Shape shape;
    private final Duration timeout;

    TemplateBoot(LabSession lab, GuestRestores.Shape shape, Duration timeout) {
        this.lab = lab;
        this.shape = shape;
        this.timeout = timeout;
    }

    @Override
    public Optional<String> prepare(Path image, Path disk, Path memory, String key) {
        Hypervisor hypervisor = lab.hypervisor();
        RunPool pool = lab.pool();
        String name = Names.domain(lab.runId(), "template-" + key.substring(0, 8));
        Path console = pool.dir().resolve(name + "-console.log");
        Path socket = pool.dir().resolve(name + ".identity");
        Teardown teardown = new Teardown();
        try {
            DiskImage base = DiskImage.inspect(image, "restore template of " + image, lab.host());
            // The overlay is made where the cache keeps it: the template writes it until it is saved, then it is frozen.
            lab.host().check(QEMU_IMG, List.of("qemu-img", "create", "-q", "-f", "qcow2", "-b",
                    image.toRealPath().toString(), "-F", base.format(), disk.toString()));
            teardown.register("console log " + console, () -> Files.deleteIfExists(console));
            teardown.register("identity socket " + socket, () -> Files.deleteIfExists(socket));
            List<DomainPlan.Nic> nics = new ArrayList<>();
            for (DomainPlan.Nic nic : shape.nics()) {
                // The same segments as the first guest of the shape: the template's network stays down anyway.
                nics.add(new DomainPlan.Nic(Names.newMac(), nic.network(), nic.bridge(), nic.openvswitch(),
                        nic.checksumOffload(), nic.vlan(), nic.mtu()));
            }
            DomainPlan plan = new DomainPlan(name, shape.domainType(), shape.memoryMiB(), shape.vcpus(), lab.runId(),
                    ProcessHandle.current().pid(),
                    List.of(new DomainPlan.Disk(Optional.of(disk), "qcow2", false, "vda", Optional.of(1))),
                    nics, console, shape.vnc(), Optional.of(socket));
            teardown.register("domain " + name, () -> {
                hypervisor.destroyDomain(name);
                hypervisor.undefineDomain(name);
            });
            hypervisor.defineDomain(plan.toXml());
            hypervisor.startDomain(name);
            String seen = awaitTemplateMode(name, console, image);
            if (seen.equals(BOOTED_THROUGH)) {
                return Optional.of("its boot finished without waiting on the identity port: the image has no "
                        + "template mode");
            }
            hypervisor.saveDomain(name, memory);
            return Optional.empty();
        } catch (IOException e) {
            throw new VirtunitException("cannot read the image " + image + " of a restore template: " + e, e);
        } finally {
            teardown.run();
        }
    }

    /** Waits for the template-mode line (or the line of an image without it); fails when the domain stops. */
    private String awaitTemplateMode(String name, Path console, Path image) {
        try {
            return await("the restore template of " + image + " to wait for its identity").atMost(timeout)
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        String log = read(console);
                        if (log.contains(WAITING)) {
                            return WAITING;
                        }
                        if (log.contains(BOOTED_THROUGH)) {
                            return BOOTED_THROUGH;
                        }
                        if (lab.hypervisor().domainState(name).isDead()) {
                            throw new VirtunitException("the restore template " + name + " of " + image
                                    + " stopped before it waited for its identity; console tail: " + tail(log));
                        }
                        return null;
                    }, line -> line != null);
        } catch (ConditionTimeoutException e) {
            throw new VirtunitException("the restore template " + name + " of " + image + " did not wait for its "
                    + "identity within " + timeout.toSeconds() + " s; console tail: " + tail(read(console)), e);
        }
    }

    private static String read(Path console) {
        try {
            return Files.isRegularFile(console) ? new String(Files.readAllBytes(console), StandardCharsets.ISO_8859_1) : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static String tail(String log) {
        return log.length() <= 800 ? log : log.substring(log.length() - 800);
    }
}
