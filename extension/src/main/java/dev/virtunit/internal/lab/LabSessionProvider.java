package dev.virtunit.internal.lab;

import dev.virtunit.Guest;
import dev.virtunit.Lab;
import dev.virtunit.LabConfig;
import dev.virtunit.LabProvider;
import dev.virtunit.internal.host.HostCommands;
import dev.virtunit.internal.ssh.PingCommand;
import dev.virtunit.internal.ssh.PingOutput;
import dev.virtunit.observe.PingResult;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** virtunit's own {@link LabProvider}: a {@link LabSession} on libvirt. Registered under META-INF/services. */
public final class LabSessionProvider implements LabProvider {

    /** This machine's programs, where a ping goes when no lab runs on a remote host. */
    private final HostCommands thisMachine;

    /** The provider {@link java.util.ServiceLoader} makes. */
    public LabSessionProvider() {
        this(HostCommands.local());
    }

    /** With this machine's programs in {@code thisMachine}: a fake in tests, so that no ping leaves. */
    LabSessionProvider(HostCommands thisMachine) {
        this.thisMachine = thisMachine;
    }

    @Override
    public Lab start(LabConfig config) {
        return LabSession.start(config);
    }

    /**
     * From the host of the newest lab running on a remote libvirt host ({@link RemoteHostsInUse}), whose bridges
     * and upstreams this machine has no route to; from this machine when every lab running is its own, or none runs.
     */
    @Override
    public PingResult pingFromHost(String target, int count) {
        HostCommands host = RemoteHostsInUse.newest().map(remote -> remote.networking().commands()).orElse(thisMachine);
        return ping(host, target, count);
    }

    /** From the guest's own host: a remote lab's guests sit on that host's bridges, with no route from here. */
    @Override
    public PingResult pingFromHost(Guest guest, int count) {
        HostCommands host = guest instanceof LabGuest labGuest ? labGuest.lab().hostNetworking().commands()
                : thisMachine;
        return ping(host, guest.address(), count);
    }

    /** busybox's ping, the same program and output format as inside the tiny image, so one parser reads both. */
    private static PingResult ping(HostCommands host, String target, int count) {
        List<String> argv = new ArrayList<>(List.of("busybox"));
        argv.addAll(PingCommand.argv(target, count, 1));
        var result = host.run(Duration.ofSeconds(count * 2L + 10), argv);
        return PingOutput.parse(target, result.stdout() + result.stderr());
    }
}
