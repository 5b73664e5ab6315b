package dev.virtunit.junit;

import dev.virtunit.HostUnavailableException;
import dev.virtunit.InvalidDeclarationException;
import dev.virtunit.LabConfig;
import dev.virtunit.internal.host.RecordingHostCommands;
import dev.virtunit.internal.lab.FakeLabHost;
import dev.virtunit.internal.lab.LabSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.container;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.skippedWithReason;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.rootCause;

/**
 * {@code @EnabledIfKvm} with {@code virtunit.libvirt.uri} naming a remote host, through real JUnit: the run's lab
 * (started by the condition when nothing else started it) asks that host, on fakes; a URI of this machine starts no
 * lab and is judged here as before.
 */
class RemoteKvmConditionTest {

    private static final String URI = "qemu+tcp://kvm1/system";
    private static final String HOST = "root@kvm1:22";

    @TempDir
    Path stateDir;

    private final RecordingHostCommands host = new RecordingHostCommands()
            .answer(List.of("uname", "-m"), "x86_64\n").answer(List.of("cat", "/proc/cpuinfo"), "flags\t\t: fpu vmx\n");
    private final AtomicInteger labsStarted = new AtomicInteger();

    @AfterEach
    void restoreTheLabStarter() {
        LibvirtExtension.labStarter = LabSession::start;
    }

    private EngineExecutionResults run(String uri, Function<LabConfig, LabSession> starter) {
        LibvirtExtension.labStarter = config -> {
            labsStarted.incrementAndGet();
            return starter.apply(config);
        };
        return EngineTestKit.engine("junit-jupiter")
                .configurationParameter("virtunit.libvirt.uri", uri)
                .configurationParameter("virtunit.state.dir", stateDir.toString())
                .configurationParameter("virtunit.cache.dir", stateDir.resolve("cache").toString())
                .selectors(selectClass(NeedsKvm.class))
                .execute();
    }

    private EngineExecutionResults runOnRemoteHost(FakeLabHost fake) {
        return run(URI, config -> fake.startRemote(config, HOST, host));
    }

    @Test
    void aRemoteHostWithUsableKvmRunsTheTest() {
        EngineExecutionResults results = runOnRemoteHost(new FakeLabHost().listingKvm());

        results.testEvents().assertStatistics(stats -> stats.started(1).succeeded(1));
        assertThat(host.rendered()).contains("test -c /dev/kvm", "cat /proc/cpuinfo");
        assertThat(labsStarted).hasValue(1);
    }

    @Test
    void aRemoteHostWithoutTheDeviceSkipsNamingThatHost() {
        host.answer(List.of("test", "-c", "/dev/kvm"), 1, "", "");

        EngineExecutionResults results = runOnRemoteHost(new FakeLabHost().listingKvm());

        results.containerEvents().assertThatEvents().haveExactly(1, event(container(NeedsKvm.class),
                skippedWithReason(reason -> reason.startsWith("KVM is not usable on " + HOST
                        + ": /dev/kvm does not exist there"))));
        results.testEvents().assertStatistics(stats -> stats.started(0));
    }

    @Test
    void aRemoteHostWhoseLibvirtListsNoKvmSkipsNamingThatHost() {
        EngineExecutionResults results = runOnRemoteHost(new FakeLabHost());

        results.containerEvents().assertThatEvents().haveExactly(1, event(container(NeedsKvm.class),
                skippedWithReason(reason -> reason.startsWith("KVM is not usable on " + HOST
                        + ": libvirt lists no KVM domain type"))));
    }

    @Test
    void aRemoteHostThatCannotBeReachedSkipsNamingIt() {
        EngineExecutionResults results = run(URI, config -> {
            throw new HostUnavailableException("cannot log in as " + HOST, null);
        });

        results.containerEvents().assertThatEvents().haveExactly(1, event(container(NeedsKvm.class),
                skippedWithReason("KVM is not usable: the libvirt host of " + URI + " cannot be used (cannot log in as "
                        + HOST + ")")));
    }

    @Test
    void settingsThatCannotWorkFailTheConditionRatherThanSkip() {
        EngineExecutionResults results = run(URI, config -> {
            throw new InvalidDeclarationException("virtunit.host.identity /nowhere does not exist");
        });

        results.containerEvents().assertThatEvents().haveExactly(1, event(container(NeedsKvm.class),
                finishedWithFailure(rootCause(instanceOf(InvalidDeclarationException.class)))));
    }

    /** Local behaviour unchanged: this machine's facts decide, and no lab is started for it. */
    @Test
    void aUriOfThisMachineStartsNoLab() {
        EngineExecutionResults results = run("test:///default", config -> {
            throw new AssertionError("no lab may start for a local URI");
        });

        assertThat(labsStarted).hasValue(0);
        results.containerEvents().assertStatistics(stats -> stats.failed(0));
    }

    @EnabledIfKvm
    static class NeedsKvm {
        @Test
        void runsOnlyWithKvm() {
        }
    }
}
