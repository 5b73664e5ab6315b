package dev.virtunit.internal.lab;

import dev.virtunit.observe.BlockCounters;
import dev.virtunit.observe.DiskInfo;
import dev.virtunit.observe.DomainInfo;
import dev.virtunit.Guest;
import dev.virtunit.GuestLink;
import dev.virtunit.GuestSpec;
import dev.virtunit.Seed;
import dev.virtunit.observe.GuestState;
import dev.virtunit.observe.GuestStats;
import dev.virtunit.observe.InterfaceCounters;
import dev.virtunit.observe.InterfaceInfo;
import dev.virtunit.observe.PingResult;
import dev.virtunit.Ssh;
import dev.virtunit.VirtunitException;
import dev.virtunit.internal.libvirt.Hypervisor;
import dev.virtunit.internal.ssh.PingCommand;
import dev.virtunit.internal.ssh.PingOutput;
import dev.virtunit.internal.ssh.SshKeyPair;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/** The {@link Guest} handle: a libvirt domain of the lab's, its disks and seed, and an SSH login to it. */
public final class LabGuest implements Guest {

    private final LabSession lab;
    private final Hypervisor hypervisor;
    private final GuestSpec spec;
    private final String name;
    private final String mac;
    /** Every NIC (test NICs first, then, if any, the management NIC) and its addresses. */
    private final GuestAddresses addresses;

    /** A NIC's MAC and its static address; empty means DHCP, looked up in the lease. */
    record NicAddress(String mac, Optional<String> staticAddress) {
    }
    /** Captures on this guest's ports, for the failure report. */
    private final List<LabCapture> captures = new CopyOnWriteArrayList<>();
    /** Credentials and host key policy; a host key trusted on first use stays required for the guest's life. */
    private final GuestLogin login;
    private final Path consoleLog;
    private final Teardown teardown;
    private final Duration bootTimeout;
    private final GuestSshSessions sshSessions;
    private boolean kept;
    private final ConsoleMark consoleMark;
    private final ManualLogin manualLogin;
    private final GuestPower power;
    /** The first boot, under the lab's boot limit; null until {@link #boot} began it. */
    private volatile GuestBoot firstBoot;
    /**
     * The phases of the boot under way, for its one "ready" log line: from provisioning for the first boot (begun
     * as this handle is made, before its disks and definition), from the request for a start or reboot.
     */
    private volatile BootTimeline timeline;

    LabGuest(LabSession lab, GuestSpec spec, String name, String mac, List<NicAddress> nics, int testNics, int sshNic,
             SshKeyPair hostKey,
             Path consoleLog, Teardown teardown) {
        this.timeline = BootTimeline.startingNow(name);
        this.lab = lab;
        this.hypervisor = lab.hypervisor();
        this.spec = spec;
        this.name = name;
        this.mac = mac;
        this.addresses = new GuestAddresses(lab.hypervisor(), name, mac, nics, testNics, sshNic);
        this.login = GuestLogin.of(spec, name, hostKey, lab.pool().clientKey(), lab.pool().clientKeyFile());
        this.sshSessions = new GuestSshSessions(spec.user(), login, lab.site().guestRoute().ssh());
        this.consoleLog = consoleLog;
        this.consoleMark = new ConsoleMark(lab.hostNetworking().files(), consoleLog);
        this.teardown = teardown;
        this.bootTimeout = spec.bootTimeout().orElse(lab.config().bootTimeout());
        this.power = new GuestPower(this, hypervisor, lab.bootSlots(), bootTimeout);
        this.manualLogin = new ManualLogin(spec.user(), login.keyFileForHumans(),
                spec.seed() == Seed.NOCLOUD ? Optional.of(hostKey.publicKeyLine()) : Optional.empty(),
                lab.pool().clientDir().resolve(name + ".known_hosts"), lab.site().guestRoute().jumpHost());
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String host() {
        return lab.labGuests().hostName();
    }

    @Override
    public String uuid() {
        return hypervisor.domainUuid(name);
    }

    @Override
    public String mac() {
        return mac;
    }

    public GuestSpec spec() {
        return spec;
    }

    @Override
    public List<String> addresses() {
        return addresses.ofTestNics();
    }

    @Override
    public String address() {
        return addresses.first(this::state);
    }

    /** The address SSH and readiness use: reachable from the host whatever the test networks are. */
    String sshAddress() {
        return addresses.ssh(this::state);
    }

    /** Every NIC, test NICs first: {@code nics().get(i)} is the guest's {@code eth<i>}. */
    List<NicAddress> nics() {
        return addresses.nics();
    }

    /** How many of {@link #nics()} the test asked for; a NIC after them is the host's way in for SSH only. */
    int testNics() {
        return addresses.testNics();
    }

    /** The addresses of one NIC: its static one, or what libvirt's DHCP leased it (none yet: empty). */
    List<String> addressesOf(int nic) {
        return addresses.of(nic);
    }

    boolean hasSshAddress() {
        return addresses.hasSsh();
    }

    @Override
    public Ssh ssh() {
        return sshSessions.configured(sshAddress());
    }

    @Override
    public Ssh ssh(String user) {
        return sshSessions.forUser(user, sshAddress());
    }

    @Override
    public PingResult ping(String target) {
        return ping(target, 3);
    }

    @Override
    public PingResult ping(String target, int count) {
        String command = PingCommand.of(target, count, 1);
        // ping says why it gave up (bad address, unreachable) on stderr; the parser reads both.
        return PingOutput.parse(name, target, ssh().exec(command, Duration.ofSeconds(count * 2L + 10)));
    }

    @Override
    public GuestLink link(int nic) {
        return LabGuestLink.of(lab.runId(), name, interfaces(), nic, lab.host(), teardown, captures);
    }

    List<LabCapture> captures() {
        return List.copyOf(captures);
    }

    // ---- lifecycle ----

    /**
     * Begins the first boot: {@code start} runs when the lab has a boot slot free (at once, or later on a thread of
     * the guest's own), then readiness is awaited; {@link #awaitReady()} waits for both.
     */
    void boot(Runnable start) {
        BootTimeline first = timeline;
        first.phase("defined");
        firstBoot = GuestBoot.begin(name, lab.bootSlots(), () -> {
            first.phaseIfNoticeable("waited for a boot slot");
            start.run();
            first.phase("started");
        }, () -> lab.readiness().accept(this));
    }

    @Override
    public void start() {
        power.start();
    }

    @Override
    public void shutdown() {
        shutdown(bootTimeout);
    }

    @Override
    public void shutdown(Duration timeout) {
        power.shutdown(timeout);
    }

    @Override
    public void destroy() {
        disconnect();
        hypervisor.destroyDomain(name);
    }

    @Override
    public void reboot() {
        power.reboot();
    }

    /** The phases of a start or reboot under way, from {@link GuestPower}, for the "ready" line. */
    void beginBoot(BootTimeline restart) {
        consoleMark.markEnd();
        timeline = restart;
    }

    @Override
    public void suspend() {
        hypervisor.suspendDomain(name);
    }

    @Override
    public void resume() {
        hypervisor.resumeDomain(name);
    }

    @Override
    public GuestState state() {
        return hypervisor.domainState(name);
    }

    /** Waits for the first boot (queue, start, ready) and throws what ended it; after it, checks readiness again. */
    @Override
    public void awaitReady() {
        GuestBoot boot = firstBoot;
        if (boot != null && !boot.succeeded()) {
            boot.await();
            return;
        }
        timeline = BootTimeline.startingNow(name);
        awaitReadyNow();
    }

    /**
     * Every readiness phase, now, under the guest's boot timeout (what the lab's readiness check runs), adding to
     * the timeline of the boot under way.
     */
    void awaitReadyNow() {
        new Readiness(this, bootTimeout, timeline).awaitAllPhases();
    }

    /** The phases of the boot under way or last done: what its "ready" line says. */
    BootTimeline timeline() {
        return timeline;
    }

    boolean answersSsh() {
        return GuestLogin.finalFailureNamed(name, () -> ssh().exec("true", Duration.ofSeconds(10)).succeeded());
    }

    /** What the serial console printed since the last (re)start, where readiness looks for {@code readyWhen}. */
    String consoleSinceStart() {
        return consoleMark.sinceMark();
    }

    /** The console from this (re)start on, to be followed while the guest boots. */
    ConsoleLog followConsoleSinceStart() {
        return new ConsoleLog(lab.hostNetworking().files(), consoleLog, consoleMark.position());
    }

    // ---- observations ----

    @Override
    public DomainInfo info() {
        return hypervisor.domainInfo(name);
    }

    @Override
    public GuestStats stats() {
        return GuestCounters.read(hypervisor, name, info(), this::interfaces, this::disks);
    }

    @Override
    public List<InterfaceInfo> interfaces() {
        return DomainXml.interfaces(xml());
    }

    @Override
    public List<DiskInfo> disks() {
        return DomainXml.disks(xml());
    }

    @Override
    public InterfaceCounters interfaceCounters(String device) {
        return hypervisor.interfaceCounters(name, device);
    }

    @Override
    public InterfaceCounters interfaceCounters() {
        return GuestCounters.firstNic(hypervisor, name, interfaces(), this::state);
    }

    @Override
    public BlockCounters blockCounters(String target) {
        return hypervisor.blockCounters(name, target);
    }

    @Override
    public String xml() {
        return hypervisor.domainXml(name);
    }

    @Override
    public String consoleLog() {
        try {
            return lab.hostNetworking().files().readFrom(consoleLog, 0).map(bytes -> new String(bytes, StandardCharsets.ISO_8859_1))
                    .orElse("");
        } catch (VirtunitException e) {
            return "(console log " + consoleLog + " unreadable: " + e.getMessage() + ")";
        }
    }

    LabSession lab() {
        return lab;
    }

    Path consoleLogPath() {
        return consoleLog;
    }

    // ---- teardown ----

    /** Drops the live SSH connections before the guest reboots or stops; handles tests hold keep working after. */
    void disconnect() {
        sshSessions.disconnect();
    }

    /**
     * Runs {@code step} when the guest is removed, before the rest of its teardown (newest first): a pool of hosts
     * gives the guest's room back. A kept guest never runs it: it still takes that room.
     */
    void onRemoval(String what, Runnable step) {
        teardown.register(what, step::run);
    }

    /** Removes the domain, its disks, seed and console log. Idempotent. */
    void remove() {
        stopUsing();
        teardown.run();
    }

    /** A queued boot never starts, the logins close: the domain may be destroyed now ({@link GuestRemoval}). */
    void stopUsing() {
        GuestBoot boot = firstBoot;
        if (boot != null) {
            boot.cancel();
        }
        sshSessions.close();
    }

    /** Keeps the guest for inspection: its teardown is dropped, and the lab keeps what it depends on. */
    public void keep() {
        kept = true;
        teardown.abandon();
        lab.keptUntil();
        manualLogin.writeKnownHosts(this::sshAddress);
    }

    boolean isKept() {
        return kept;
    }

    /** Ready-to-paste commands that reach this guest (ssh, serial console), for the "kept for inspection" log. */
    public String howToReach() {
        return manualLogin.howToReach(name, this::sshAddress, lab.config().libvirtUri(), consoleLog);
    }

    @Override
    public String toString() {
        return "Guest[" + name + ", " + mac + ", " + addresses.nics().subList(0, addresses.testNics()) + "]";
    }
}
