package dev.virtunit.it.bench;

import java.io.UncheckedIOException;
import dev.virtunit.Guest;
import dev.virtunit.GuestSpec;
import dev.virtunit.Lab;
import dev.virtunit.internal.cloudinit.CloudInitSeed;
import dev.virtunit.internal.host.HostCommands;
import dev.virtunit.internal.cloudinit.NicConfig;
import dev.virtunit.internal.host.Command;
import dev.virtunit.internal.ssh.SshKeyPair;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import static org.awaitility.Awaitility.await;

/**
 * Boot-to-SSH time and host memory per guest: virtunit against plain virsh, measured in the same run on the same
 * image, median of several rounds. It prints figures and asserts nothing about them: times belong in a report,
 * not in a test. Run it with scripts/benchmark.
 *
 * <p>Plain virsh is what a person does by hand: {@code qemu-img create} an overlay, {@code virsh define} a domain
 * like {@code virt-install --import} writes (no TCG cache limit), {@code virsh start}, then poll {@code ssh ... true}.
 */
@EnabledIfSystemProperty(named = "virtunit.benchmark", matches = "true")
class BootBenchmarkIT {

    private static final int ROUNDS = Integer.getInteger("virtunit.benchmark.rounds", 5);
    private static final Duration STEP = Duration.ofSeconds(60);

    @TempDir
    Path work;

    @Test
    void bootToSshAndMemoryPerGuest() throws Exception {
        Path image = Path.of(System.getProperty("virtunit.testImage")).toRealPath();
        List<Double> virshSeconds = new ArrayList<>();
        List<Double> virtunitSeconds = new ArrayList<>();
        List<Long> virshRssMiB = new ArrayList<>();
        List<Long> virtunitRssMiB = new ArrayList<>();

        String subnet = freeSubnet();
        String network = "vu-bench" + Integer.toHexString(new Random().nextInt(0xffff)) + "-net";
        Path networkXml = work.resolve("net.xml");
        Files.writeString(networkXml, "<network><name>" + network + "</name><bridge name='" + network.substring(0, 12)
                + "' stp='off' delay='0'/><ip address='" + subnet + ".1' netmask='255.255.255.0'/></network>");
        virsh("net-create", networkXml.toString());
        try (Lab lab = Lab.start()) {
            for (int round = 1; round <= ROUNDS; round++) {
                // Alternate which goes first, so neither always boots on a warm page cache.
                if (round % 2 == 1) {
                    measureVirsh(image, network, subnet, round, virshSeconds, virshRssMiB);
                    measureVirtunit(lab, image, virtunitSeconds, virtunitRssMiB);
                } else {
                    measureVirtunit(lab, image, virtunitSeconds, virtunitRssMiB);
                    measureVirsh(image, network, subnet, round, virshSeconds, virshRssMiB);
                }
            }
        } finally {
            Command.run(STEP, "virsh", "-c", "qemu:///system", "net-destroy", network);
        }

        double virsh = median(virshSeconds);
        double virtunit = median(virtunitSeconds);
        System.out.printf(Locale.ROOT, "%nBENCHMARK boot to SSH login (create overlay, define, start, ssh true), %d rounds%n", ROUNDS);
        System.out.printf(Locale.ROOT, "  plain virsh : median %.2f s  runs %s%n", virsh, format(virshSeconds));
        System.out.printf(Locale.ROOT, "  virtunit    : median %.2f s  runs %s%n", virtunit, format(virtunitSeconds));
        System.out.printf(Locale.ROOT, "  ratio virtunit / virsh: %.2f%n", virtunit / virsh);
        System.out.printf(Locale.ROOT, "BENCHMARK host memory per 256 MiB guest (qemu RSS once SSH answers)%n");
        System.out.printf(Locale.ROOT, "  plain virsh : median %d MiB  runs %s%n", medianLong(virshRssMiB), virshRssMiB);
        System.out.printf(Locale.ROOT, "  virtunit    : median %d MiB  runs %s%n", medianLong(virtunitRssMiB), virtunitRssMiB);
        System.out.printf(Locale.ROOT, "  ratio virtunit / virsh: %.2f%n%n", (double) medianLong(virtunitRssMiB) / medianLong(virshRssMiB));
    }

    private void measureVirtunit(Lab lab, Path image, List<Double> seconds, List<Long> rss) {
        long started = System.nanoTime();
        Guest guest = lab.guest(GuestSpec.builder().image(image).build());
        seconds.add((System.nanoTime() - started) / 1e9);
        rss.add(qemuRssMiB(guest.name()));
        lab.remove(guest);
    }

    private void measureVirsh(Path image, String network, String subnet, int round, List<Double> seconds, List<Long> rss)
            throws IOException {
        String name = "vu-bench-virsh-" + round;
        String address = subnet + "." + (10 + round);
        String mac = String.format("52:54:00:be:0c:%02x", round);
        SshKeyPair client = SshKeyPair.generateEd25519("bench");
        SshKeyPair hostKey = SshKeyPair.generateEd25519("bench-host");
        Path dir = Files.createDirectories(work.resolve(name));
        Path key = dir.resolve("id");
        Files.writeString(key, client.privateKeyOpenSsh());
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        Path knownHosts = dir.resolve("known_hosts");
        Files.writeString(knownHosts, address + " " + hostKey.publicKeyLine() + "\n");
        Path seed = CloudInitSeed.builder().instanceId(name).hostname(name).authorizedKey(client.publicKeyLine())
                .hostKey(hostKey).nic(NicConfig.staticAddress(mac, "eth0", address + "/24", subnet + ".1"))
                .build().writeIso(dir.resolve("seed.iso"), HostCommands.local());
        Path overlay = dir.resolve("disk.qcow2");
        Path domainXml = dir.resolve("domain.xml");
        Files.writeString(domainXml, """
                <domain type='qemu'>
                  <name>%s</name>
                  <memory unit='MiB'>256</memory>
                  <vcpu>1</vcpu>
                  <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os>
                  <features><acpi/></features>
                  <devices>
                    <disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='%s'/><target dev='vda' bus='virtio'/></disk>
                    <disk type='file' device='cdrom'><driver name='qemu' type='raw'/><source file='%s'/><target dev='hdc' bus='ide'/><readonly/></disk>
                    <interface type='network'><mac address='%s'/><source network='%s'/><model type='virtio'/></interface>
                    <serial type='pty'/>
                  </devices>
                  <seclabel type='static' model='dac' relabel='no'><label>+0:+0</label></seclabel>
                </domain>""".formatted(name, overlay, seed, mac, network));

        long started = System.nanoTime();
        try {
            Command.check(STEP, "qemu-img", "create", "-q", "-f", "qcow2", "-b", image.toString(), "-F", "qcow2", overlay.toString());
            virsh("define", domainXml.toString());
            virsh("start", name);
            await("ssh to " + name).atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                    .until(() -> Command.run(Duration.ofSeconds(10), "ssh", "-i", key.toString(), "-o", "UserKnownHostsFile=" + knownHosts,
                            "-o", "StrictHostKeyChecking=yes", "-o", "ConnectTimeout=2", "-o", "BatchMode=yes",
                            "root@" + address, "true").succeeded());
            seconds.add((System.nanoTime() - started) / 1e9);
            rss.add(qemuRssMiB(name));
        } finally {
            Command.run(STEP, "virsh", "-c", "qemu:///system", "destroy", name);
            Command.run(STEP, "virsh", "-c", "qemu:///system", "undefine", name);
        }
    }

    private static long qemuRssMiB(String domain) {
        try {
            String pid = Files.readString(Path.of("/run/libvirt/qemu/" + domain + ".pid")).strip();
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D+", "")) / 1024;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("no VmRSS for " + domain);
    }

    private static void virsh(String... args) {
        List<String> argv = new ArrayList<>(List.of("virsh", "-c", "qemu:///system"));
        argv.addAll(List.of(args));
        Command.check(STEP, argv);
    }

    private static String freeSubnet() {
        String routes = Command.check(STEP, "ip", "-4", "route", "show", "table", "all").stdout();
        for (int third = 250; third > 100; third--) {
            if (!routes.contains("192.168." + third + ".")) {
                return "192.168." + third;
            }
        }
        throw new IllegalStateException("no free subnet");
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static long medianLong(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    private static String format(List<Double> values) {
        return values.stream().map(v -> String.format(Locale.ROOT, "%.2f", v)).toList().toString();
    }
}
