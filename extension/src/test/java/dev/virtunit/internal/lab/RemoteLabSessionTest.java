package dev.virtunit.internal.lab;

import dev.virtunit.Acceleration;
import dev.virtunit.CleanupMode;
import dev.virtunit.GuestSpec;
import dev.virtunit.LabConfig;
import dev.virtunit.internal.host.HostCommands;
import dev.virtunit.internal.host.HostFiles;
import dev.virtunit.internal.host.RecordingHostCommands;
import dev.virtunit.internal.net.HostNetworking;
import dev.virtunit.internal.net.IpForwarding;
import dev.virtunit.internal.net.JavaLauncher;
import dev.virtunit.internal.net.Sysctls;
import dev.virtunit.internal.ssh.PingCommand;
import dev.virtunit.observe.PingResult;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A lab whose host is remote, on fakes: the host's files go through its commands ({@code mkdir}, {@code dd},
 * {@code tail}, {@code rm}), this JVM's own files (the SSH key) stay on this machine, the image is uploaded into the
 * host's image pool and the overlay is backed by it, and the host's connection closes after everything else.
 */
class RemoteLabSessionTest {

    private static final String HOST = "root@kvm1:22";

    @TempDir
    Path stateDir;
    @TempDir
    Path images;

    private final FakeHypervisor hypervisor = new FakeHypervisor();
    private final RecordingHostCommands host = new RecordingHostCommands();
    private final AtomicBoolean connectionClosed = new AtomicBoolean();
    private final AtomicBoolean libvirtClosedFirst = new AtomicBoolean();
    private Path image;
    private LabConfig config;

    @BeforeEach
    void setUp() {
        image = FakeLab.blankImage(images, "tiny.qcow2");
        config = LabConfig.fromEnvironment().withLibvirtUri("qemu+tcp://kvm1/system").withStateDir(stateDir)
                .withCacheDir(stateDir.resolve("cache")).withAcceleration(Acceleration.TCG)
                .withCleanup(CleanupMode.ALWAYS).withFirstBootCache(true);
        // The guest's console, as QEMU writes it on the host.
        host.answer(List.of("stat"), "15\n");
        host.startedExits(List.of("tail"), 0, "boot finished\n", "", true);
    }

    private LabSession start() {
        return start(host, HOST);
    }

    /** A lab on the remote host {@code address} whose programs are {@code commands}. */
    private LabSession start(RecordingHostCommands commands, String address) {
        LabHost site = FakeLabHost.remoteSite(commands, address, () -> {
            libvirtClosedFirst.set(hypervisor.closed);
            connectionClosed.set(true);
        });
        LabSession lab = LabSession.start(config, uri -> hypervisor, site);
        lab.readiness(FakeLab::readyWithoutNetwork);
        return lab;
    }

    @Test
    void theHostsFilesGoThroughItsCommandsAndThisJvmsStayHere() throws IOException {
        LabSession lab = start();
        Path poolDir = stateDir.resolve("pools").resolve("vu-" + lab.runId() + "-pool");

        LabGuest guest = (LabGuest) lab.guest(GuestSpec.builder().image(image).awaitSsh(false).readyWhen("boot finished")
                .build());

        assertThat(lab.isRemote()).isTrue();
        assertThat(lab.pool().dir()).isEqualTo(poolDir);
        assertThat(host.rendered()).contains("mkdir -p -- " + poolDir);
        assertThat(poolDir).as("the pool directory is the host's").doesNotExist();
        assertThat(lab.pool().clientKeyFile()).exists().isEqualTo(stateDir.resolve("clients")
                .resolve("vu-" + lab.runId() + "-pool").resolve("id_ed25519"));
        // The seed ISO, made here, written into the pool on the host through dd.
        Path seed = poolDir.resolve(guest.name() + "-seed.iso");
        RecordingHostCommands.FakeProcess dd = host.started().stream()
                .filter(p -> p.argv().equals(List.of("dd", "of=" + seed, "bs=65536", "status=none"))).findFirst()
                .orElseThrow();
        assertThat(new String(dd.input(), 32769, 5, StandardCharsets.ISO_8859_1)).isEqualTo("CD001");
        // The console is read on the host.
        assertThat(guest.consoleLog()).isEqualTo("boot finished\n");
        assertThat(host.rendered()).contains("tail -c +1 -- " + poolDir.resolve(guest.name() + "-console.log"));
        // The image went up once, and the overlay is backed by its volume there.
        String uploaded = hypervisor.uploads.keySet().iterator().next();
        assertThat(hypervisor.uploads).containsOnly(java.util.Map.entry(uploaded, image.toRealPath()));
        assertThat(hypervisor.volumeXml.get(guest.name() + "-disk.qcow2")).contains("/fake/virtunit-images/" + uploaded);

        lab.close();

        assertThat(host.rendered()).contains("rm -rf -- " + seed, "rm -rf -- " + poolDir);
        assertThat(lab.pool().clientDir()).doesNotExist();
        assertThat(hypervisor.everything()).containsExactlyInAnyOrder("pool virtunit-images",
                "volume " + uploaded, "volume " + uploaded + ".complete");
        assertThat(connectionClosed).isTrue();
        assertThat(libvirtClosedFirst).as("the host's connection closes last").isTrue();
    }

    @Test
    void aPingOfAGuestOfARemoteLabRunsOnThatHost() {
        try (LabSession lab = start()) {
            LabGuest guest = (LabGuest) lab.guest(GuestSpec.builder().image(image).awaitSsh(false)
                    .readyWhen("boot finished").build());
            host.answer(List.of("busybox", "ping"), "PING " + guest.address() + "\n2 packets transmitted, "
                    + "2 packets received, 0% packet loss\nround-trip min/avg/max = 0.1/0.2/0.3 ms\n");

            PingResult result = new LabSessionProvider().pingFromHost(guest, 2);

            assertThat(host.rendered("busybox")).singleElement().asString()
                    .startsWith("busybox ping -c 2 ").endsWith(guest.address());
            assertThat(result.received()).isEqualTo(2);
        }
    }

    @Test
    void theFirstBootCacheAndRestoreAreOffForARemoteHostOnlyAsTheyWorkOnThisMachinesFiles() {
        HostNetworking networking = new HostNetworking(host, new IpForwarding(new Sysctls(host)));
        LabHost remote = LabHost.remote(networking, HostCommands.local(), HOST, () -> { });
        LabHost local = LabHost.local(networking);

        assertThat(remote.localOnly("virtunit.firstboot.cache", true)).isFalse();
        assertThat(remote.localOnly("virtunit.restore", false)).isFalse();
        assertThat(local.localOnly("virtunit.firstboot.cache", true)).isTrue();
        assertThat(local.localOnly("virtunit.restore", false)).isFalse();
    }

    @Test
    void aLabThatCannotStartClosesTheHostsConnection() {
        hypervisor.failOn = "createPool";

        org.assertj.core.api.Assertions.assertThatThrownBy(this::start).hasMessageContaining("createPool");

        assertThat(connectionClosed).isTrue();
        assertThat(RemoteHostsInUse.newest()).as("a host whose run did not start is not pinged from").isEmpty();
        assertThat(host.rendered()).anyMatch(command -> command.startsWith("rm -rf -- " + stateDir.resolve("pools")));
    }

    @Test
    void enabledIfKvmJudgesARemoteLabsHostThroughTheLab() {
        hypervisor.capabilities = "<capabilities><guest><arch name='x86_64'><domain type='qemu'/><domain type='kvm'/>"
                + "</arch></guest></capabilities>";
        host.answer(List.of("uname", "-m"), "x86_64\n").answer(List.of("cat", "/proc/cpuinfo"),
                "flags\t\t: fpu vmx sse2\n");
        try (LabSession lab = start()) {
            KvmUsability.Verdict verdict = KvmUsability.of(lab);

            assertThat(verdict.usable()).isTrue();
            assertThat(verdict.reason()).startsWith("KVM on " + HOST + ": ");
            assertThat(host.rendered()).contains("test -c /dev/kvm", "uname -m", "cat /proc/cpuinfo");
        }
    }

    @Test
    void aPingOfAnAddressGoesFromTheNewestRemoteLabsHostWhileItRunsThenFromThisMachine() {
        assertThat(RemoteHostsInUse.newest()).as("a remote lab left running by another test").isEmpty();
        RecordingHostCommands thisMachine = new RecordingHostCommands();
        RecordingHostCommands otherHost = new RecordingHostCommands();
        otherHost.answer(List.of("stat"), "15\n");
        LabSessionProvider provider = new LabSessionProvider(thisMachine);

        try (LabSession first = start()) {
            provider.pingFromHost("10.1.2.1", 3);
            LabSession second = start(otherHost, "root@kvm2:22");
            provider.pingFromHost("10.1.2.2", 1);
            second.close();
            provider.pingFromHost("10.1.2.3", 1);

            assertThat(host.rendered("busybox")).containsExactly(busyboxPing("10.1.2.1", 3),
                    busyboxPing("10.1.2.3", 1));
            assertThat(otherHost.rendered("busybox")).containsExactly(busyboxPing("10.1.2.2", 1));
        }
        PingResult fromHere = provider.pingFromHost("10.1.2.4", 2);

        assertThat(thisMachine.rendered("busybox")).containsExactly(busyboxPing("10.1.2.4", 2));
        assertThat(host.rendered("busybox")).hasSize(2);
        assertThat(fromHere.received()).isZero();
    }

    /** The ping as the host runs it. */
    private static String busyboxPing(String target, int count) {
        return "busybox " + String.join(" ", PingCommand.argv(target, count, 1));
    }
}
