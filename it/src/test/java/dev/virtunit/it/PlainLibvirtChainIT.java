package dev.virtunit.it;

import dev.virtunit.internal.cloudinit.CloudInitSeed;
import dev.virtunit.internal.host.HostCommands;
import dev.virtunit.internal.cloudinit.NicConfig;
import dev.virtunit.internal.host.Command;
import dev.virtunit.internal.ssh.SshKeyPair;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.common.IOUtils;
import net.schmizz.sshj.connection.channel.direct.Session;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;
import org.libvirt.Network;
import org.libvirt.StoragePool;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The whole chain with plain libvirt-java calls and nothing of the extension but its key and seed writers:
 * import the tiny image as a copy-on-write overlay, attach a NoCloud seed with a fresh key, boot, log in over
 * SSH verifying the host key we injected, run {@code uname -r}, tear down, and check that the base image is
 * byte-for-byte unchanged and nothing of ours is left. It keeps the chain honest while the extension grows
 * on top of it, and is the baseline the extension's boot time is compared with.
 */
class PlainLibvirtChainIT {

    private static final String OWNER_NS = "https://virtunit.dev/xmlns/owner/1";

    private final TestHost host = TestHost.get();
    private final String run = TestHost.newRunId();
    private final String domainName = "vu-" + run + "-chain";
    private final String networkName = "vu-" + run + "-net";
    private final String bridgeName = "vu" + run + "br";
    private final String poolName = "vu-" + run + "-pool";
    private final Path poolDir = TestHost.POOLS_DIR.resolve(poolName);

    /** Undo steps, pushed before each resource is created and run in reverse order, all of them, even past failures. */
    private final Deque<Teardown> teardown = new ArrayDeque<>();
    private Connect libvirt;

    @Test
    void importBootLogInAndTearDownLeavesBaseImageUntouched() throws Exception {
        Path baseImage = host.testImage();
        String baseChecksum = TestHost.sha256(baseImage);
        ImageInfo image = ImageInfo.of(baseImage);
        String subnet = host.freeSubnet24();
        String guestAddress = subnet + ".10";
        String mac = TestHost.macFor(run, 1);

        libvirt = new Connect("qemu:///system", false);

        teardown.push(() -> TestHost.deleteRecursively(poolDir));
        Files.createDirectories(poolDir);
        teardown.push(() -> destroyPool(poolName));
        StoragePool pool = libvirt.storagePoolCreateXML("""
                <pool type='dir'>
                  <name>%s</name>
                  <target><path>%s</path><permissions><mode>0755</mode></permissions></target>
                </pool>""".formatted(poolName, poolDir), 0);
        pool.storageVolCreateXML("""
                <volume>
                  <name>disk.qcow2</name>
                  <capacity unit='bytes'>%d</capacity>
                  <target><format type='qcow2'/></target>
                  <backingStore><path>%s</path><format type='%s'/></backingStore>
                </volume>""".formatted(image.virtualSize(), baseImage, image.format()), 0).free();
        Path overlay = poolDir.resolve("disk.qcow2");

        SshKeyPair clientKey = SshKeyPair.generateEd25519("virtunit@" + run);
        SshKeyPair hostKey = SshKeyPair.generateEd25519("root@" + domainName);
        Path seedIso = CloudInitSeed.builder()
                .instanceId(domainName).hostname(domainName)
                .authorizedKey(clientKey.publicKeyLine()).hostKey(hostKey)
                .nic(NicConfig.staticAddress(mac, "eth0", guestAddress + "/24", subnet + ".1"))
                .build().writeIso(poolDir.resolve("seed.iso"), HostCommands.local());
        pool.refresh(0);
        pool.free();

        teardown.push(() -> destroyNetwork(networkName));
        Network network = libvirt.networkCreateXML("""
                <network>
                  <name>%s</name>
                  <bridge name='%s' stp='off' delay='0'/>
                  <ip address='%s.1' netmask='255.255.255.0'/>
                </network>""".formatted(networkName, bridgeName, subnet));
        network.free();

        Path consoleLog = poolDir.resolve("console.log");
        teardown.push(() -> destroyDomain(domainName));
        Domain domain = libvirt.domainDefineXML("""
                <domain type='%s'>
                  <name>%s</name>
                  <metadata><vu:owner xmlns:vu='%s' run='%s' pid='%d'/></metadata>
                  <memory unit='MiB'>256</memory>
                  <vcpu>2</vcpu>
                  <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os>
                  <features><acpi/>%s</features>
                  <on_crash>destroy</on_crash>
                  <devices>
                    <disk type='file' device='disk'>
                      <driver name='qemu' type='qcow2'/><source file='%s'/><target dev='vda' bus='virtio'/>
                    </disk>
                    <disk type='file' device='cdrom'>
                      <driver name='qemu' type='raw'/><source file='%s'/><target dev='hdc' bus='ide'/><readonly/>
                    </disk>
                    <interface type='network'>
                      <mac address='%s'/><source network='%s'/><model type='virtio'/>
                    </interface>
                    <serial type='pty'><log file='%s' append='off'/><target port='0'/></serial>
                    <console type='pty'/>
                  </devices>
                </domain>""".formatted(host.domainType(), domainName, OWNER_NS, run, ProcessHandle.current().pid(),
                host.tcgFeatures(), overlay, seedIso, mac, networkName, consoleLog));

        long started = System.nanoTime();
        assertThat(domain.create()).isZero();
        domain.free();

        String kernel = await("SSH login to " + domainName + " at " + guestAddress)
                .atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                .until(() -> sshExec(guestAddress, hostKey, clientKey, "uname -r"), output -> !output.isBlank());
        double bootToSsh = (System.nanoTime() - started) / 1e9;
        System.out.printf("plain libvirt: virsh-start-equivalent to SSH login: %.2f s (guest kernel %s)%n", bootToSsh, kernel.strip());

        assertThat(kernel.strip()).matches("\\d+\\.\\d+\\.\\d+-\\d+-cloud-amd64");
        // The serial console is captured: the image's init reports its hostname, from our seed, and its SSH server.
        assertThat(Files.readString(consoleLog)).contains("virtunit-init: dropbear listening on 22", domainName);

        runTeardown();

        assertThat(TestHost.sha256(baseImage)).as("base image checksum after the guest ran on its overlay")
                .isEqualTo(baseChecksum);
        assertThat(namesOf(libvirt)).as("libvirt objects of run " + run + " after teardown")
                .noneMatch(name -> name.contains(run));
        assertThat(poolDir).doesNotExist();
        assertThat(TestHost.linkNames()).noneMatch(name -> name.contains(run));
    }

    @AfterEach
    void tearDownWhateverIsLeft() throws Exception {
        runTeardown();
        if (libvirt != null) {
            libvirt.close();
        }
    }

    private void runTeardown() {
        List<Exception> failures = new ArrayList<>();
        while (!teardown.isEmpty()) {
            try {
                teardown.pop().run();
            } catch (Exception e) {
                failures.add(e);
            }
        }
        if (!failures.isEmpty()) {
            AssertionError error = new AssertionError("teardown failed " + failures.size() + " time(s)");
            failures.forEach(error::addSuppressed);
            throw error;
        }
    }

    private static String sshExec(String address, SshKeyPair hostKey, SshKeyPair clientKey, String command) throws Exception {
        try (SSHClient ssh = new SSHClient()) {
            ssh.addHostKeyVerifier(hostKey.sha256Fingerprint());
            ssh.setConnectTimeout(2_000);
            ssh.setTimeout(10_000);
            ssh.connect(address, 22);
            ssh.authPublickey("root", ssh.loadKeys(clientKey.privateKeyOpenSsh(), clientKey.publicKeyLine(), null));
            try (Session session = ssh.startSession(); Session.Command exec = session.exec(command)) {
                String stdout = IOUtils.readFully(exec.getInputStream()).toString();
                exec.join(10, TimeUnit.SECONDS);
                assertThat(exec.getExitStatus()).as("exit status of '%s'", command).isZero();
                return stdout;
            }
        }
    }

    private void destroyDomain(String name) throws LibvirtException {
        if (!namesOf(libvirt).contains(name)) {
            return;
        }
        Domain domain = libvirt.domainLookupByName(name);
        try {
            if (domain.isActive() == 1) {
                domain.destroy();
            }
            domain.undefine();
        } finally {
            domain.free();
        }
    }

    private void destroyNetwork(String name) throws LibvirtException {
        if (Arrays.asList(libvirt.listNetworks()).contains(name)) {
            Network network = libvirt.networkLookupByName(name);
            try {
                network.destroy();
            } finally {
                network.free();
            }
        }
    }

    private void destroyPool(String name) throws LibvirtException {
        if (Arrays.asList(libvirt.listStoragePools()).contains(name)) {
            StoragePool pool = libvirt.storagePoolLookupByName(name);
            try {
                for (String volume : pool.listVolumes()) {
                    var handle = pool.storageVolLookupByName(volume);
                    handle.delete(0);
                    handle.free();
                }
                pool.destroy();
            } finally {
                pool.free();
            }
        }
    }

    private static List<String> namesOf(Connect connect) throws LibvirtException {
        List<String> names = new ArrayList<>(Arrays.asList(connect.listDefinedDomains()));
        for (int id : connect.listDomains()) {
            Domain domain = connect.domainLookupByID(id);
            names.add(domain.getName());
            domain.free();
        }
        Stream.of(connect.listNetworks(), connect.listDefinedNetworks(), connect.listStoragePools(),
                connect.listDefinedStoragePools()).forEach(array -> names.addAll(Arrays.asList(array)));
        return names;
    }

    @FunctionalInterface
    private interface Teardown {
        void run() throws Exception;
    }

    /** Format and virtual size of a disk image, as {@code qemu-img info} detects them. */
    private record ImageInfo(String format, long virtualSize) {
        static ImageInfo of(Path image) {
            String json = Command.check(Duration.ofSeconds(30), "qemu-img", "info", "--output=json", image.toString()).stdout();
            return new ImageInfo(TestHost.jsonField(json, "format"), Long.parseLong(TestHost.jsonField(json, "virtual-size")));
        }
    }
}
