package dev.virtunit.internal.net;

import dev.virtunit.VirtunitException;
import dev.virtunit.internal.host.CommandFailedException;
import dev.virtunit.internal.host.CommandResult;
import dev.virtunit.internal.host.HostCommands;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;

/**
 * The one place that talks to Open vSwitch, through {@code ovs-vsctl}: bridges with their datapath chosen for this
 * host, ports with optional VLAN tags, and the {@code external_ids} that mark a bridge as virtunit's (run id,
 * owning process) so a later run can sweep what a crashed one left.
 *
 * <p>Without the kernel's {@code openvswitch} module (this project's CI machines, containers) bridges use the
 * userspace datapath ({@code datapath_type=netdev}). Two consequences callers must know: the bridge's own
 * interface is then a tap device that {@code ovs-vswitchd} creates, and veths feeding the bridge need transmit
 * checksum offload off ({@link IpLinks#disableTxOffload}) or TCP fails while ping works.
 *
 * @since 0.1
 */
public final class OpenVSwitch {

    /** Passed to every ovs-vsctl: without it, a dead ovsdb-server makes ovs-vsctl wait forever. */
    private static final String VSCTL_TIMEOUT = "--timeout=10";

    /** The process timeout is a little longer than ovs-vsctl's own, so its own message wins. */
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(15);

    private static final Duration TAP_TIMEOUT = Duration.ofSeconds(10);

    /** Keys and values of external_ids stay plain so they never need OVSDB's quoting rules. */
    private static final Pattern EXTERNAL_ID = Pattern.compile("[A-Za-z0-9_.:@/+-]+");

    private final HostCommands host;
    private final IpLinks links;
    private volatile Boolean kernelDatapath;

    /**
     * @param host  runs ovs-vsctl and modprobe
     * @param links brings a bridge's interface up and turns ARP off on userspace ports
     */
    public OpenVSwitch(HostCommands host, IpLinks links) {
        this.host = Objects.requireNonNull(host, "host");
        this.links = Objects.requireNonNull(links, "links");
    }

    /**
     * Whether the kernel datapath can be used: the {@code openvswitch} module is loaded or {@code modprobe} loads it.
     * Asked once per instance; {@code modprobe} failing for any reason (no module, no modprobe, no /lib/modules)
     * means no.
     */
    public boolean kernelDatapathAvailable() {
        Boolean known = kernelDatapath;
        if (known == null) {
            known = succeeds(List.of("test", "-d", "/sys/module/openvswitch"))
                    || succeeds(List.of("modprobe", "openvswitch"));
            kernelDatapath = known;
        }
        return known;
    }

    private boolean succeeds(List<String> argv) {
        try {
            return host.run(COMMAND_TIMEOUT, argv).succeeded();
        } catch (CommandFailedException e) {
            return false;
        }
    }

    /** {@code system} (kernel datapath) when available, else {@code netdev} (userspace datapath). */
    public String datapathType() {
        return kernelDatapathAvailable() ? "system" : "netdev";
    }

    /**
     * Creates bridge {@code name} (if absent) with {@link #datapathType()} and the given external_ids, in one
     * ovs-vsctl transaction so that no bridge exists without the marks that let a sweep find it.
     *
     * @param externalIds such as {@code virtunit-run=1a2b3c}, {@code virtunit-pid=4242}; plain characters only
     */
    public void addBridge(String name, Map<String, String> externalIds) {
        addBridge(name, externalIds, List.of());
    }

    /**
     * Like {@link #addBridge(String, Map)}, with {@code ports} (existing links, veth ends say) added as access ports
     * without a tag in the same transaction: one ovs-vsctl (and one wait for ovs-vswitchd) instead of one per port.
     * Each port is then checked as {@link #addPort(String, String)} checks it; a port that fails is removed and its
     * error thrown, the bridge left for the caller's undo.
     *
     * @since 0.4
     */
    public void addBridge(String name, Map<String, String> externalIds, List<String> ports) {
        addBridge(name, externalIds, ports, OptionalInt.empty());
    }

    /**
     * Like {@link #addBridge(String, Map, List)}, with the MTU of the bridge's own interface requested in the same
     * transaction ({@code mtu_request}) when {@code mtu} is present. Without it, Open vSwitch gives that interface the
     * smallest MTU of the bridge's other ports, so it would change as ports come and go.
     *
     * @since 0.4
     */
    public void addBridge(String name, Map<String, String> externalIds, List<String> ports, OptionalInt mtu) {
        NetworkNames.interfaceName(name);
        ports.forEach(NetworkNames::interfaceName);
        List<String> marks = new ArrayList<>();
        externalIds.forEach((key, value) -> marks.add("external_ids:" + externalId("key", key) + "=" + externalId("value", value)));
        List<String> args = new ArrayList<>(List.of("--may-exist", "add-br", name,
                "--", "set", "bridge", name, "datapath_type=" + datapathType()));
        if (!marks.isEmpty()) {
            args.addAll(List.of("--", "set", "bridge", name));
            args.addAll(marks);
        }
        for (String port : ports) {
            args.addAll(List.of("--", "--may-exist", "add-port", name, port));
        }
        mtu.ifPresent(value -> args.addAll(List.of("--", "set", "interface", name, "mtu_request=" + value)));
        vsctl("create Open vSwitch bridge " + name + (ports.isEmpty() ? "" : " with port(s) " + String.join(", ", ports)),
                args);
        ports.forEach(port -> checkPort(name, port));
    }

    private static String externalId(String what, String text) {
        if (text == null || !EXTERNAL_ID.matcher(text).matches()) {
            throw new IllegalArgumentException("external_ids " + what + " '" + text + "' may only contain letters, "
                    + "digits and _ . : @ / + -");
        }
        return text;
    }

    /** Deletes bridge {@code name} and its ports if it exists. */
    public void deleteBridge(String name) {
        NetworkNames.interfaceName(name);
        vsctl("delete Open vSwitch bridge " + name, List.of("--if-exists", "del-br", name));
    }

    public boolean bridgeExists(String name) {
        NetworkNames.interfaceName(name);
        return bridges().contains(name);
    }

    /** Adds {@code port} (an existing link, a veth end say) to {@code bridge} as an access port without a tag. */
    public void addPort(String bridge, String port) {
        addPort(bridge, port, OptionalInt.empty());
    }

    /** Adds {@code port} to {@code bridge} as an access port of VLAN {@code vlan}. */
    public void addPort(String bridge, String port, int vlan) {
        addPort(bridge, port, OptionalInt.of(vlan));
    }

    /**
     * Adds {@code port} to {@code bridge}, tagged with {@code vlan} when present. ovs-vsctl succeeds even when
     * ovs-vswitchd cannot open the device; the interface's {@code error} column says so, and then the port is
     * removed again and the error thrown, rather than left as a port that silently forwards nothing.
     *
     * <p>With the userspace datapath the port also gets ARP turned off. Unlike the kernel datapath, which takes a
     * port's frames away from the host's IP stack, the userspace datapath reads them through a raw socket while the
     * stack goes on processing them too. A guest asking for its gateway (an address of the host, on a veth end
     * elsewhere on the bridge) was then answered by the host through the guest's own port, with that port's MAC,
     * before the real gateway's answer came through the bridge: its traffic was routed from the port and never
     * reached the gateway interface (measured with OVS 3.1 on Linux 6.18).
     */
    public void addPort(String bridge, String port, OptionalInt vlan) {
        NetworkNames.interfaceName(bridge);
        NetworkNames.interfaceName(port);
        List<String> args = new ArrayList<>(List.of("--may-exist", "add-port", bridge, port));
        vlan.ifPresent(tag -> args.add("tag=" + vlanTag(tag)));
        vsctl("add port " + port + " to Open vSwitch bridge " + bridge, args);
        checkPort(bridge, port);
    }

    /** A port ovs-vswitchd could not open is removed and its error thrown; with the userspace datapath, ARP off. */
    private void checkPort(String bridge, String port) {
        String error = vsctl("read the error of interface " + port, List.of("get", "interface", port, "error")).stdout().strip();
        if (!error.equals("[]") && !error.isEmpty()) {
            deletePort(bridge, port);
            throw new VirtunitException("Open vSwitch cannot use " + port + " as a port of " + bridge + ": " + error);
        }
        if (!kernelDatapathAvailable()) {
            // The userspace datapath reads its ports through raw sockets, so the host's own IP stack still sees every
            // frame arriving on them and would answer ARP for the host's addresses with the port's MAC (see above).
            links.setArp(port, false);
        }
    }

    /** Removes {@code port} from {@code bridge} if it is there. */
    public void deletePort(String bridge, String port) {
        NetworkNames.interfaceName(bridge);
        NetworkNames.interfaceName(port);
        vsctl("delete port " + port + " of Open vSwitch bridge " + bridge, List.of("--if-exists", "del-port", bridge, port));
    }

    /** Makes {@code port} an access port of VLAN {@code vlan}. */
    public void setPortVlan(String port, int vlan) {
        NetworkNames.interfaceName(port);
        vsctl("set VLAN " + vlan + " on port " + port, List.of("set", "port", port, "tag=" + vlanTag(vlan)));
    }

    /** Removes the VLAN tag of {@code port}: it carries untagged traffic of every VLAN again. */
    public void clearPortVlan(String port) {
        NetworkNames.interfaceName(port);
        vsctl("clear the VLAN of port " + port, List.of("clear", "port", port, "tag"));
    }

    /** The VLAN tag of {@code port}, empty when it has none. */
    public OptionalInt portVlan(String port) {
        NetworkNames.interfaceName(port);
        String tag = vsctl("read the VLAN of port " + port, List.of("get", "port", port, "tag")).stdout().strip();
        return tag.equals("[]") || tag.isEmpty() ? OptionalInt.empty() : OptionalInt.of(Integer.parseInt(tag));
    }

    private static int vlanTag(int vlan) {
        // 0 and 4095 are reserved by 802.1Q (priority tags, implementation use); OVS would accept 0 but mean untagged.
        if (vlan < 1 || vlan > 4094) {
            throw new IllegalArgumentException("VLAN tag " + vlan + " is not between 1 and 4094");
        }
        return vlan;
    }

    public List<String> bridges() {
        return lines(vsctl("list Open vSwitch bridges", List.of("list-br")).stdout());
    }

    public List<String> ports(String bridge) {
        NetworkNames.interfaceName(bridge);
        return lines(vsctl("list the ports of Open vSwitch bridge " + bridge, List.of("list-ports", bridge)).stdout());
    }

    /** The external_ids of {@code bridge}, in ovs-vsctl's order. */
    public Map<String, String> externalIds(String bridge) {
        NetworkNames.interfaceName(bridge);
        return parseExternalIds(vsctl("read the external_ids of Open vSwitch bridge " + bridge,
                List.of("br-get-external-id", bridge)).stdout());
    }

    /** Parses {@code br-get-external-id} output: {@code key=value} lines. */
    static Map<String, String> parseExternalIds(String output) {
        Map<String, String> ids = new LinkedHashMap<>();
        for (String line : lines(output)) {
            int equals = line.indexOf('=');
            if (equals > 0) {
                ids.put(line.substring(0, equals), line.substring(equals + 1));
            }
        }
        return ids;
    }

    /**
     * Brings the bridge's own interface up, so that an address can be put on it (with {@code ip address add}). With
     * the userspace datapath that interface is a tap device ovs-vswitchd creates after the bridge; it is awaited
     * rather than assumed.
     */
    public void bridgeUp(String bridge) {
        bridgeUp(bridge, false);
    }

    /**
     * Like {@link #bridgeUp(String)}, with ARP turned off on the bridge's interface in the same command when
     * {@code arpOff} (a bridge whose gateway is on a veth plugged into it). ovs-vsctl returns once ovs-vswitchd has
     * applied the bridge, so its interface is there at once; only when it is not is it awaited.
     *
     * @since 0.4
     */
    public void bridgeUp(String bridge, boolean arpOff) {
        NetworkNames.interfaceName(bridge);
        if (links.linkUpIfPresent(bridge, arpOff)) {
            return;
        }
        await("interface of Open vSwitch bridge " + bridge)
                .atMost(TAP_TIMEOUT)
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(100))
                .until(() -> links.linkExists(bridge));
        if (!links.linkUpIfPresent(bridge, arpOff)) {
            throw new VirtunitException("interface of Open vSwitch bridge " + bridge + " went away before it could be "
                    + "brought up (is something else deleting it? scripts/check-leftovers lists what runs left)");
        }
    }

    private static List<String> lines(String output) {
        return output.lines().map(String::strip).filter(line -> !line.isEmpty()).toList();
    }

    private CommandResult vsctl(String what, List<String> args) {
        List<String> argv = new ArrayList<>(args.size() + 2);
        argv.add("ovs-vsctl");
        argv.add(VSCTL_TIMEOUT);
        argv.addAll(args);
        try {
            return host.check(COMMAND_TIMEOUT, argv);
        } catch (CommandFailedException e) {
            throw new VirtunitException("cannot " + what + ": " + e.getMessage()
                    + " (is ovs-vswitchd running? scripts/setup-host starts it)", e);
        }
    }
}
