package dev.virtunit.internal.lab;

import dev.virtunit.Acceleration;
import dev.virtunit.Bridge;
import dev.virtunit.BridgeSpec;
import dev.virtunit.CleanupMode;
import dev.virtunit.GuestSpec;
import dev.virtunit.LabConfig;
import dev.virtunit.Upstream;
import dev.virtunit.internal.host.FakeHost;
import dev.virtunit.internal.host.MutationSteps;
import dev.virtunit.internal.net.HostNetworking;
import dev.virtunit.internal.net.IpForwarding;
import dev.virtunit.internal.net.Sysctls;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Fault injection over a whole topology: an upstream host, an Open vSwitch bridge with its gateway on a veth and NAT
 * toward the upstream with a port forward, a Linux bridge, and two guests on the OVS bridge (the second also on the
 * Linux bridge), made through the lab on a {@link FakeHost} and a {@link FakeHypervisor}. A run that succeeds is
 * counted first: every host command and every libvirt call that changes something is a step. Then, for every step
 * k, a fresh run fails at that step (chosen by what it is, not by its number: a bridge's NAT table loads beside its
 * links, so their steps interleave in no fixed order); the error must name the element being made and the step that
 * failed, and once the lab is closed neither fake nor the state directory may hold anything of the run.
 */
class ProvisioningFaultTest {

    private static final Pattern TEMPORARY = Pattern.compile("virtunit-(seed|nft)-\\d+");
    /** A guest's MAC is random: the host is told it (ip neigh) before the guest boots. */
    private static final Pattern MAC = Pattern.compile("52:54:00(:[0-9a-f]{2}){3}");
    private static final Pattern RUN_ID = Pattern.compile("vu[-_]?([0-9a-f]{6})");

    @TempDir
    Path work;

    /** One provisioning attempt on fresh fakes, failing at step {@code failAt} (0: none). */
    private final class Attempt {
        final MutationSteps steps = new MutationSteps();
        final FakeHypervisor hypervisor = new FakeHypervisor().countingSteps(steps);
        final FakeHost host = new FakeHost(steps).withExternalLinks(hypervisor::taps);
        final Path stateDir;
        /** The step count at the end of each phase, and the phase's element, in order. */
        final List<Integer> phaseEnds = new ArrayList<>();
        final List<String> phaseElements = new ArrayList<>();
        LabSession lab;

        Attempt(String label) {
            this.stateDir = work.resolve(label);
        }

        /** An attempt whose {@code occurrence}-th step that normalizes to {@code step} fails. */
        Attempt(String label, String step, int occurrence) {
            this(label);
            steps.failWhen(step, occurrence, this::normalized);
        }

        /** Makes the topology; the first failure ends it and is returned (null when all went well). */
        Throwable provision(Path image) {
            return catchThrowable(() -> {
                LabConfig config = LabConfig.fromEnvironment().withStateDir(stateDir)
                        .withCacheDir(stateDir.resolve("cache")).withAcceleration(Acceleration.TCG)
                        .withCleanup(CleanupMode.ALWAYS).withFirstBootCache(false);
                phaseElements.add("pool 'vu-%s-pool'");
                lab = LabSession.start(config, uri -> hypervisor,
                        new HostNetworking(host, new IpForwarding(new Sysctls(host))));
                phaseEnds.add(steps.count());
                phaseElements.add("upstream host vu%su0");
                Upstream upstream = lab.upstream();
                phaseEnds.add(steps.count());
                phaseElements.add("OVS bridge vu%sb0");
                Bridge ovs = lab.bridge(BridgeSpec.ovs().withGateway(Bridge.Gateway.ON_VETH)
                        .withNat(upstream.uplinkInterface()).withPortForward("tcp:8080->.10:80"));
                phaseEnds.add(steps.count());
                phaseElements.add("Linux bridge vu%sb1");
                Bridge linux = lab.bridge(BridgeSpec.linux());
                phaseEnds.add(steps.count());
                phaseElements.add("guest vu-%s-a");
                lab.create(GuestSpec.builder().image(image).nic(ovs).build(), "a");
                phaseEnds.add(steps.count());
                phaseElements.add("guest vu-%s-b");
                lab.create(GuestSpec.builder().image(image).nic(ovs).nic(linux).build(), "b");
                phaseEnds.add(steps.count());
            });
        }

        /** {@code step} without what differs from run to run, its run id found in it (a name such as vu1a2b3cb0). */
        String normalized(String step) {
            Matcher run = RUN_ID.matcher(step);
            return run.find() ? normalized(step, run.group(1)) : normalized(step, "\u0000");
        }

        /** {@code step} without what differs from run to run: the run id, the state folder, temporary files. */
        String normalized(String step, String run) {
            String fixed = TEMPORARY.matcher(step.replace(run, "<run>").replace(stateDir.toString(), "<state>"))
                    .replaceAll("virtunit-$1-N");
            return MAC.matcher(fixed).replaceAll("<mac>");
        }

        /** Closes the lab if it started; the failure of its teardown, if any. */
        Throwable close() {
            return lab == null ? null : catchThrowable(lab::close);
        }

        /** Nothing of the run is left: no host object, no libvirt object, no state file, no unknown command. */
        void assertNothingLeft() {
            assertThat(host.unknownCommands()).as("commands the fake host does not model").isEmpty();
            assertThat(host.everything()).as("left on the host").isEmpty();
            assertThat(hypervisor.everything()).as("left in libvirt").isEmpty();
            assertThat(filesUnder(stateDir.resolve("runs"))).as("run records left").isEmpty();
            assertThat(filesUnder(stateDir.resolve("leases"))).as("subnet leases left").isEmpty();
            assertThat(filesUnder(stateDir.resolve("pools"))).as("pool directories left").isEmpty();
        }
    }

    private Path image() {
        Path image = work.resolve("tiny.qcow2");
        if (!Files.exists(image)) {
            FakeLab.blankImage(work, "tiny.qcow2");
        }
        return image;
    }

    @Test
    void theWholeTopologyIsMadeAndRemovedWithNothingLeft() {
        Attempt attempt = new Attempt("whole");

        assertThat(attempt.provision(image())).isNull();

        String run = attempt.lab.runId();
        assertThat(attempt.host.everything()).contains("Open vSwitch bridge vu" + run + "b0",
                "bridge link vu" + run + "b1", "network namespace vu" + run + "u0", "nftables table ip vu_" + run + "_b0",
                "sysctl net.ipv4.ip_forward = 1 (was 0)");
        assertThat(attempt.hypervisor.everything()).contains("domain vu-" + run + "-a", "domain vu-" + run + "-b");
        // Enough steps that failing each one means something: every part of the topology has several.
        assertThat(attempt.steps.count()).isGreaterThan(30);
        assertThat(attempt.close()).isNull();
        attempt.assertNothingLeft();
    }

    @TestFactory
    Stream<DynamicTest> aFailureAtAnyStepNamesTheStepAndLeavesNothing() {
        Attempt counting = new Attempt("counting");
        assertThat(counting.provision(image())).isNull();
        String run = counting.lab.runId();
        List<String> steps = counting.steps.steps().stream().map(step -> counting.normalized(step, run)).toList();
        List<Integer> phaseEnds = counting.phaseEnds;
        List<String> elements = counting.phaseElements;
        assertThat(counting.close()).isNull();
        counting.assertNothingLeft();

        List<DynamicTest> tests = new ArrayList<>();
        for (int k = 1; k <= steps.size(); k++) {
            int step = k;
            int phase = phaseOf(phaseEnds, step);
            String shown = steps.get(step - 1).replace(run, "<run>");
            // The how-many-th of its kind: the same command may come twice (on two guests' taps, say).
            int occurrence = (int) steps.subList(0, step - 1).stream().filter(steps.get(step - 1)::equals).count();
            tests.add(DynamicTest.dynamicTest("step " + step + " (" + elements.get(phase).formatted("<run>") + "): "
                    + shown, () -> failAt(step, occurrence, phase, elements.get(phase), shown)));
        }
        return tests.stream();
    }

    private static int phaseOf(List<Integer> phaseEnds, int step) {
        for (int phase = 0; phase < phaseEnds.size(); phase++) {
            if (step <= phaseEnds.get(phase)) {
                return phase;
            }
        }
        throw new IllegalStateException("step " + step + " after the last phase");
    }

    private void failAt(int k, int occurrence, int phase, String element, String countedStep) {
        Attempt attempt = new Attempt("fail-" + k, countedStep, occurrence);

        Throwable failure = attempt.provision(image());

        String failedStep = attempt.steps.failed().orElseThrow(() -> new AssertionError("step " + k + " (" + countedStep
                + ") never came: the run took other steps than the counted one"));
        String run = attempt.lab != null ? attempt.lab.runId() : runIdIn(failedStep);
        assertThat(attempt.normalized(failedStep, run)).as("the same step as in the counted run").isEqualTo(countedStep);
        assertThat(failure).as("provisioning with step " + k + " failing").isNotNull();
        assertThat(attempt.phaseEnds).as("phases completed").hasSize(phase);
        Throwable teardownFailure = attempt.close();
        SoftAssertions softly = new SoftAssertions();
        String message = failure.getMessage();
        // Which element was being made, and which of its steps failed (the command, or libvirt's operation).
        softly.assertThat(message).as("the error").contains(element.formatted(run));
        if (failedStep.startsWith("libvirt ")) {
            String[] call = failedStep.split(" ", 3);
            softly.assertThat(message).as("the error").contains("cannot " + FakeHypervisor.action(call[1]) + " '"
                    + call[2] + "'").contains("injected failure");
        } else {
            softly.assertThat(message).as("the error").contains(failedStep);
        }
        softly.assertThat(teardownFailure).as("teardown after the failure").isNull();
        softly.check(attempt::assertNothingLeft);
        softly.assertAll();
    }

    private static String runIdIn(String step) {
        Matcher matcher = RUN_ID.matcher(step);
        if (!matcher.find()) {
            throw new IllegalStateException("no run id in step " + step);
        }
        return matcher.group(1);
    }

    private static List<Path> filesUnder(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
