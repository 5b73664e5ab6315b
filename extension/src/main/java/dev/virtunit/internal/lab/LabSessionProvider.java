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

    @Override
    public Lab start(LabConfig config) {
        return LabSession.start(config);
    }

    @Override
    public PingResult pingFromHost(String target, int count) {
        return ping(HostCommands.local(), target, count);
    }

    /** From the guest's own host: a remote lab's guests sit on that host's bridges, with no route from here. */
    @Override
    public PingResult pingFromHost(Guest guest, int count) {
        HostCommands host = guest instanceof LabGuest labGuest ? labGuest.lab().hostNetworking().commands()
                : HostCommands.local();
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
