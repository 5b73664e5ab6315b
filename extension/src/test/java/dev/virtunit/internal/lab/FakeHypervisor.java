package dev.virtunit.internal.lab;

import dev.virtunit.observe.BlockCounters;
import dev.virtunit.observe.DomainInfo;
import dev.virtunit.observe.GuestState;
import dev.virtunit.observe.InterfaceCounters;
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
 * An in-memory {@link Hypervisor} that records what was created and can be told to fail at one operation. Its methods
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
    String failOn = "";
    boolean closed;

    private void call(String operation, String object) {
        calls.add(operation + " " + object);
        if (failOn.equals(operation)) {
            throw new LibvirtOperationException("cannot " + operation + " '" + object + "': injected failure", 1,
                    "VIR_ERR_INTERNAL_ERROR", null);
        }
    }

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
    public synchronized String capabilitiesXml() {
        return "<capabilities><guest><arch name='x86_64'><domain type='qemu'/></arch></guest></capabilities>";
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
        domains.put(name, GuestState.RUNNING);
    }

    @Override
    public synchronized void shutdownDomain(String name) {
        call("shutdownDomain", name);
        domains.put(name, GuestState.SHUT_OFF);
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
    }

    @Override
    public synchronized void undefineDomain(String name) {
        call("undefineDomain", name);
        domains.remove(name);
        domainXml.remove(name);
    }

    @Override
    public synchronized GuestState domainState(String name) {
        return domains.getOrDefault(name, GuestState.UNDEFINED);
    }

    @Override
    public synchronized String domainXml(String name) {
        return domainXml.get(name);
    }

    @Override
    public synchronized String domainUuid(String name) {
        return "00000000-0000-0000-0000-000000000000";
    }

    @Override
    public synchronized Optional<String> domainMetadata(String name, String namespaceUri) {
        return Optional.empty();
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
