package dev.virtunit.internal.lab;

import dev.virtunit.observe.BlockCounters;
import dev.virtunit.observe.DomainInfo;
import dev.virtunit.observe.GuestState;
import dev.virtunit.observe.InterfaceCounters;
import dev.virtunit.internal.host.MutationSteps;
import dev.virtunit.internal.libvirt.Hypervisor;
import dev.virtunit.internal.libvirt.LibvirtOperationException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An in-memory {@link Hypervisor} that records what was created and can be told to fail at one operation: the first
 * call of an operation ({@link #failOn}), or the k-th call that changes something, counted together with the host's
 * commands ({@link #countingSteps}). A running domain's live XML names a tap per NIC ({@code vnet0}, ...), as libvirt's. Its methods
 * are synchronized: guests boot on threads of their own ({@link GuestBoot}).
 */
final class FakeHypervisor implements Hypervisor {

    private static final Pattern NAME = Pattern.compile("<name>([^<]+)</name>");

    final Map<String, GuestState> domains = new LinkedHashMap<>();
    final Map<String, String> domainXml = new LinkedHashMap<>();
    final Map<String, String> networks = new LinkedHashMap<>();
    final Map<String, List<String>> pools = new LinkedHashMap<>();
    final Map<String, String> volumeXml = new LinkedHashMap<>();
    final List<String> calls = Collections.synchronizedList(new ArrayList<>());
    /** The live XML of running domains, with their taps. */
    private final Map<String, String> liveXml = new LinkedHashMap<>();
    String failOn = "";
    /** What {@link #freeMemoryBytes()} answers: unknown unless a test sets it. */
    java.util.OptionalLong freeMemory = java.util.OptionalLong.empty();
    /** What {@link #capabilitiesXml()} says: software emulation only, unless a test lists KVM. */
    String capabilities = "<capabilities><guest><arch name='x86_64'><domain type='qemu'/></arch></guest></capabilities>";
    /** Like a guest that does not handle the ACPI power button: shutdownDomain leaves it running. */
    boolean ignoresShutdown;
    boolean closed;
    private MutationSteps steps;
    private int nextTap;

    /** Counts every call that changes something as a step of {@code steps}, failing the one {@code steps} chose. */
    FakeHypervisor countingSteps(MutationSteps steps) {
        this.steps = steps;
        return this;
    }

    private void call(String operation, String object) {
        calls.add(operation + " " + object);
        if (failOn.equals(operation)) {
            throw new LibvirtOperationException("cannot " + operation + " '" + object + "': injected failure", 1,
                    "VIR_ERR_INTERNAL_ERROR", null);
        }
        if (steps != null && steps.next("libvirt " + operation + " " + object)) {
            // As LibvirtCalls reports it: the operation and its object, then libvirt's own message.
            throw new LibvirtOperationException("cannot " + action(operation) + " '"
                    + object + "': internal error: injected failure", 1, "VIR_ERR_INTERNAL_ERROR", null);
        }
    }

    /** How LibvirtCalls names each operation in its messages. */
    private static final Map<String, String> LIBVIRT_ACTIONS = Map.ofEntries(
            Map.entry("defineDomain", "define domain"), Map.entry("startDomain", "start domain"),
            Map.entry("shutdownDomain", "shut down domain"), Map.entry("rebootDomain", "reboot domain"),
            Map.entry("suspendDomain", "suspend domain"), Map.entry("resumeDomain", "resume domain"),
            Map.entry("destroyDomain", "destroy domain"), Map.entry("undefineDomain", "undefine domain"),
            Map.entry("createNetwork", "create network"), Map.entry("removeNetwork", "remove network"),
            Map.entry("createPool", "create pool"), Map.entry("refreshPool", "refresh pool"),
            Map.entry("createVolume", "create volume"), Map.entry("deleteVolume", "delete volume"),
            Map.entry("removePool", "remove pool"), Map.entry("saveDomain", "save domain"),
            Map.entry("restoreDomain", "restore domain from"));

    /** {@code operation} (a method of {@link Hypervisor}) as LibvirtCalls names it: {@code startDomain}, "start domain". */
    static String action(String operation) {
        return LIBVIRT_ACTIONS.getOrDefault(operation, operation);
    }

    /** The taps of the running domains, as libvirt makes them on the host. */
    synchronized List<String> taps() {
        List<String> taps = new ArrayList<>();
        Matcher tap = TAP.matcher(String.join("", liveXml.values()));
        while (tap.find()) {
            taps.add(tap.group(1));
        }
        return taps;
    }

    private static final Pattern TAP = Pattern.compile("<target dev='([^']+)'/>");

    private static String name(String xml) {
        Matcher matcher = NAME.matcher(xml);
        if (!matcher.find()) {
            throw new IllegalArgumentException("no <name> in " + xml);
        }
        return matcher.group(1);
    }

    @Override
    public synchronized String uri() {
        return "fake:///";
    }

    @Override
    public java.util.OptionalLong freeMemoryBytes() {
        return freeMemory;
    }

    @Override
    public synchronized String capabilitiesXml() {
        return capabilities;
    }

    @Override
    public synchronized void defineDomain(String xml) {
        call("defineDomain", name(xml));
        domains.put(name(xml), GuestState.SHUT_OFF);
        domainXml.put(name(xml), xml);
    }

    @Override
    public synchronized boolean domainExists(String name) {
        return domains.containsKey(name);
    }

    @Override
    public synchronized List<String> domainNames() {
        return List.copyOf(domains.keySet());
    }

    @Override
    public synchronized void startDomain(String name) {
        call("startDomain", name);
        run(name);
        Matcher console = CONSOLE.matcher(domainXml.get(name));
        if (CHANNEL.matcher(domainXml.get(name)).find() && console.find()) {
            // A guest of an image with template mode, booted with an identity port: it waits there, and says so.
            try {
                java.nio.file.Files.writeString(java.nio.file.Path.of(console.group(1)),
                        "virtunit-init: template: waiting for identity on /dev/vport0p1\n");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    private void run(String name) {
        domains.put(name, GuestState.RUNNING);
        String xml = domainXml.get(name);
        StringBuilder live = new StringBuilder();
        int at = 0;
        for (int end = xml.indexOf("</interface>"); end >= 0; end = xml.indexOf("</interface>", at)) {
            live.append(xml, at, end).append("<target dev='vnet").append(nextTap++).append("'/></interface>");
            at = end + "</interface>".length();
        }
        liveXml.put(name, live.append(xml.substring(at)).toString());
    }

    /** The domain XML of every save image written, in order. */
    private final List<String> saveImages = new ArrayList<>();

    synchronized List<String> saveImages() {
        return List.copyOf(saveImages);
    }

    /** What each restored domain's QEMU read on its identity port (the socket of its unix channel), by domain. */
    final Map<String, java.util.concurrent.CompletableFuture<String>> identities = new java.util.concurrent.ConcurrentHashMap<>();
    private static final Pattern CHANNEL = Pattern.compile("<channel type='unix'>\\s*<source mode='bind' path='([^']+)'/>");
    private static final Pattern CONSOLE = Pattern.compile("<log file='([^']+)'");

    /** As libvirt writes it: a save image with the domain's XML and a stream; the domain stops. */
    @Override
    public synchronized void saveDomain(String name, java.nio.file.Path file) {
        call("saveDomain", name);
        try {
            dev.virtunit.internal.restore.LibvirtSaveImages.write(file, domainXml.get(name), "<qemu-migration/>",
                    ("QEVM state of " + name).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        saveImages.add(domainXml.get(name));
        domains.put(name, GuestState.SHUT_OFF);
        liveXml.remove(name);
    }

    /**
     * Runs the domain named in the save image's XML, as libvirt does, and, as its QEMU would, listens on its identity
     * port's socket; what a host program writes there is in {@link #identities}.
     */
    @Override
    public synchronized void restoreDomain(java.nio.file.Path file) {
        call("restoreDomain", file.toString());
        String xml = dev.virtunit.internal.restore.SaveImage.read(file).domainXml();
        String name = name(xml);
        domainXml.putIfAbsent(name, xml);
        Matcher channel = CHANNEL.matcher(xml);
        if (channel.find()) {
            identities.put(name, listenOnce(java.nio.file.Path.of(channel.group(1))));
        }
        run(name);
    }

    private static java.util.concurrent.CompletableFuture<String> listenOnce(java.nio.file.Path socket) {
        try {
            java.nio.channels.ServerSocketChannel server = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX);
            server.bind(java.net.UnixDomainSocketAddress.of(socket));
            return dev.virtunit.internal.restore.TemplateModeGuest.listen(server, 0, true).thenApply(messages -> messages.get(0));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public synchronized void shutdownDomain(String name) {
        call("shutdownDomain", name);
        if (!ignoresShutdown) {
            domains.put(name, GuestState.SHUT_OFF);
            liveXml.remove(name);
        }
    }

    @Override
    public synchronized void rebootDomain(String name) {
        call("rebootDomain", name);
    }

    @Override
    public synchronized void suspendDomain(String name) {
        call("suspendDomain", name);
        domains.put(name, GuestState.PAUSED);
    }

    @Override
    public synchronized void resumeDomain(String name) {
        call("resumeDomain", name);
        domains.put(name, GuestState.RUNNING);
    }

    @Override
    public synchronized void destroyDomain(String name) {
        call("destroyDomain", name);
        domains.computeIfPresent(name, (k, v) -> GuestState.SHUT_OFF);
        liveXml.remove(name);
    }

    @Override
    public synchronized void undefineDomain(String name) {
        call("undefineDomain", name);
        domains.remove(name);
        domainXml.remove(name);
        liveXml.remove(name);
    }

    @Override
    public synchronized GuestState domainState(String name) {
        return domains.getOrDefault(name, GuestState.UNDEFINED);
    }

    @Override
    public synchronized String domainXml(String name) {
        return liveXml.getOrDefault(name, domainXml.get(name));
    }

    @Override
    public synchronized String domainUuid(String name) {
        return "00000000-0000-0000-0000-000000000000";
    }

    @Override
    public synchronized Optional<String> domainMetadata(String name, String namespaceUri) {
        // What libvirt gives: the element of that namespace inside <metadata>, as the domain's XML has it.
        Matcher matcher = Pattern.compile("<metadata>(.*?)</metadata>", Pattern.DOTALL)
                .matcher(domainXml.getOrDefault(name, ""));
        return matcher.find() && matcher.group(1).contains(namespaceUri) ? Optional.of(matcher.group(1)) : Optional.empty();
    }

    @Override
    public synchronized DomainInfo domainInfo(String name) {
        return new DomainInfo(name, domainUuid(name), OptionalInt.empty(), "hvm", domainState(name), 1, Duration.ZERO,
                262144, 262144, true, false);
    }

    @Override
    public synchronized InterfaceCounters interfaceCounters(String name, String device) {
        return new InterfaceCounters(device, 0, 0, 0, 0, 0, 0, 0, 0);
    }

    @Override
    public synchronized BlockCounters blockCounters(String name, String device) {
        return new BlockCounters(device, 0, 0, 0, 0, 0);
    }

    @Override
    public synchronized Map<String, Long> memoryStats(String name) {
        return Map.of();
    }

    @Override
    public synchronized List<String> leasedAddresses(String name, String mac) {
        return List.of();
    }

    @Override
    public synchronized void createNetwork(String xml) {
        call("createNetwork", name(xml));
        networks.put(name(xml), xml);
    }

    @Override
    public synchronized boolean networkExists(String name) {
        return networks.containsKey(name);
    }

    @Override
    public synchronized List<String> networkNames() {
        return List.copyOf(networks.keySet());
    }

    @Override
    public synchronized String networkXml(String name) {
        return networks.get(name);
    }

    @Override
    public synchronized void removeNetwork(String name) {
        call("removeNetwork", name);
        networks.remove(name);
    }

    @Override
    public synchronized void createPool(String xml) {
        call("createPool", name(xml));
        pools.put(name(xml), new ArrayList<>());
    }

    @Override
    public synchronized List<String> poolNames() {
        return List.copyOf(pools.keySet());
    }

    @Override
    public synchronized void refreshPool(String pool) {
        call("refreshPool", pool);
    }

    @Override
    public synchronized String createVolume(String pool, String xml) {
        call("createVolume", name(xml));
        pools.get(pool).add(name(xml));
        volumeXml.put(name(xml), xml);
        return "/fake/" + pool + "/" + name(xml);
    }

    @Override
    public synchronized List<String> volumeNames(String pool) {
        return List.copyOf(pools.getOrDefault(pool, List.of()));
    }

    @Override
    public synchronized void deleteVolume(String pool, String volume) {
        call("deleteVolume", volume);
        if (pools.containsKey(pool)) {
            pools.get(pool).remove(volume);
        }
    }

    @Override
    public synchronized void removePool(String pool) {
        call("removePool", pool);
        pools.remove(pool);
    }

    /** What each volume got uploaded from, by volume name. */
    final Map<String, java.nio.file.Path> uploads = new LinkedHashMap<>();

    @Override
    public synchronized void ensurePool(String xml) {
        call("ensurePool", name(xml));
        pools.putIfAbsent(name(xml), new ArrayList<>());
    }

    @Override
    public synchronized Optional<String> volumePath(String pool, String volume) {
        return pools.getOrDefault(pool, List.of()).contains(volume) ? Optional.of("/fake/" + pool + "/" + volume)
                : Optional.empty();
    }

    @Override
    public synchronized void uploadVolume(String pool, String volume, java.nio.file.Path file) {
        call("uploadVolume", volume);
        if (!pools.getOrDefault(pool, List.of()).contains(volume)) {
            throw new LibvirtOperationException("cannot upload into volume '" + volume + "': no such volume", 50,
                    "VIR_ERR_NO_STORAGE_VOL", null);
        }
        uploads.put(volume, file);
    }

    @Override
    public synchronized void close() {
        closed = true;
    }

    /** Everything still defined, for "nothing left" assertions. */
    synchronized List<String> everything() {
        List<String> all = new ArrayList<>();
        domains.keySet().forEach(d -> all.add("domain " + d));
        networks.keySet().forEach(n -> all.add("network " + n));
        pools.forEach((p, volumes) -> {
            all.add("pool " + p);
            volumes.forEach(v -> all.add("volume " + v));
        });
        return all;
    }
}
