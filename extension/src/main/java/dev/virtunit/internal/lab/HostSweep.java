package dev.virtunit.internal.lab;

import dev.virtunit.internal.host.CommandResult;
import dev.virtunit.internal.net.HostNetworking;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * The host side of the {@link Sweeper}: what runs left in the host's own networking, found by the run id in the
 * names, listed once through {@link HostNetworking} and removed run by run in an order that never pulls something
 * from under another: Open vSwitch ports on bridges not ours, our Open vSwitch bridges (with their ports and their
 * own interface), Linux links (bridges, veth ends), network namespaces (the processes in them first: the upstream's
 * echo service), nftables tables. A listing that fails (no Open vSwitch on this host, say) is reported, not thrown:
 * the rest is still swept.
 */
final class HostSweep {

    private static final Duration NFT_TIMEOUT = Duration.ofSeconds(30);

    /** An object of ours on a bridge not ours: {@code bridge} holds port {@code port}. */
    private record ForeignPort(String bridge, String port) {
    }

    /** An nftables table of another family than {@code ip}: an impairment's {@code netdev} or {@code bridge} table. */
    private record FamilyTable(String family, String name) {
    }

    private final HostNetworking host;
    private final List<String> ovsBridges;
    private final List<ForeignPort> foreignPorts;
    private final List<String> links;
    private final List<String> namespaces;
    private final List<String> tables;
    private final List<FamilyTable> shapingTables;
    private final List<String> problems;

    private HostSweep(HostNetworking host, List<String> ovsBridges, List<ForeignPort> foreignPorts, List<String> links,
                      List<String> namespaces, List<String> tables, List<FamilyTable> shapingTables,
                      List<String> problems) {
        this.host = host;
        this.ovsBridges = ovsBridges;
        this.foreignPorts = foreignPorts;
        this.links = links;
        this.namespaces = namespaces;
        this.tables = tables;
        this.shapingTables = shapingTables;
        this.problems = problems;
    }

    /**
     * Lists every host object whose name carries a run id. The four listings are independent and each is a program
     * run on the host: links, namespaces and tables are listed on threads of their own ({@link SideTask}) while Open
     * vSwitch's bridges (and the ports of bridges not ours) are listed here, so a lab's start waits for the slowest,
     * not for the sum. Problems are reported in the same order whatever finishes first; {@link #listed} never throws.
     */
    static HostSweep scan(HostNetworking host) {
        List<String> problems = new ArrayList<>();
        List<String> linkProblems = new ArrayList<>();
        List<String> namespaceProblems = new ArrayList<>();
        List<String> tableProblems = new ArrayList<>();
        SideTask<List<String>> allLinks = SideTask.start("virtunit-sweep-links",
                () -> listed("links", () -> host.links().links(), linkProblems));
        SideTask<List<String>> allNamespaces = SideTask.start("virtunit-sweep-namespaces",
                () -> listed("network namespaces", () -> host.namespaces().namespaces(), namespaceProblems));
        SideTask<List<FamilyTable>> allTables = SideTask.start("virtunit-sweep-tables",
                () -> listed("nftables tables", () -> familyTables(host), tableProblems));
        List<String> allBridges = listed("Open vSwitch bridges", () -> host.ovs().bridges(), problems);
        List<String> ovsBridges = ours(allBridges);
        List<ForeignPort> foreignPorts = new ArrayList<>();
        for (String bridge : allBridges) {
            if (Sweeper.runOf(bridge).isEmpty()) {
                for (String port : ours(listed("ports of Open vSwitch bridge " + bridge, () -> host.ovs().ports(bridge), problems))) {
                    foreignPorts.add(new ForeignPort(bridge, port));
                }
            }
        }
        // An Open vSwitch bridge's own interface goes with the bridge.
        List<String> links = ours(allLinks.join()).stream().filter(link -> !ovsBridges.contains(link)).toList();
        problems.addAll(linkProblems);
        List<String> namespaces = ours(allNamespaces.join());
        problems.addAll(namespaceProblems);
        List<FamilyTable> tableList = allTables.join();
        problems.addAll(tableProblems);
        List<String> tables = ours(tableList.stream().filter(t -> t.family().equals("ip")).map(FamilyTable::name).toList());
        List<FamilyTable> shapingTables = tableList.stream()
                .filter(t -> SHAPING_FAMILIES.contains(t.family()) && Sweeper.runOf(t.name()).isPresent()).toList();
        return new HostSweep(host, ovsBridges, foreignPorts, links, namespaces, tables, shapingTables, problems);
    }

    /**
     * The families of virtunit's tables besides {@code ip} (NAT): {@code netdev} (a loss impairment on a guest's
     * tap) and {@code bridge} (a partition on a Linux bridge).
     */
    private static final Set<String> SHAPING_FAMILIES = Set.of("netdev", "bridge");

    /** Every table, with its family, from {@code nft list tables}. */
    private static List<FamilyTable> familyTables(HostNetworking host) {
        CommandResult result = host.commands().check(NFT_TIMEOUT, List.of("nft", "list", "tables"));
        return result.stdout().lines().map(String::strip).map(line -> line.split("\\s+"))
                .filter(fields -> fields.length == 3 && fields[0].equals("table"))
                .map(fields -> new FamilyTable(fields[1], fields[2])).toList();
    }

    /** {@code list}'s answer, or none with the reason added to {@code problems}: one kind unseen stops no other. */
    static <T> List<T> listed(String what, Supplier<List<T>> list, List<String> problems) {
        try {
            return list.get();
        } catch (RuntimeException e) {
            problems.add("cannot list " + what + ": " + e.getMessage());
            return List.of();
        }
    }

    private static List<String> ours(List<String> names) {
        return names.stream().filter(name -> Sweeper.runOf(name).isPresent()).toList();
    }

    /** The run ids seen on the host. */
    Set<String> runs() {
        Set<String> runs = new TreeSet<>();
        for (List<String> names : List.of(ovsBridges, links, namespaces, tables)) {
            names.forEach(name -> Sweeper.runOf(name).ifPresent(runs::add));
        }
        foreignPorts.forEach(port -> Sweeper.runOf(port.port()).ifPresent(runs::add));
        shapingTables.forEach(table -> Sweeper.runOf(table.name()).ifPresent(runs::add));
        return runs;
    }

    /**
     * The owners the run's Open vSwitch bridges name in their {@code external_ids}: {@code virtunit-pid} and, since
     * 0.4, {@code virtunit-machine} (empty when absent).
     */
    List<Sweeper.OwnerMark> owners(String run) {
        List<Sweeper.OwnerMark> owners = new ArrayList<>();
        for (String bridge : ofRun(run, ovsBridges)) {
            try {
                Map<String, String> ids = host.ovs().externalIds(bridge);
                Optional.ofNullable(ids.get("virtunit-pid")).filter(pid -> pid.matches("\\d+"))
                        .ifPresent(pid -> owners.add(new Sweeper.OwnerMark(Long.parseLong(pid),
                                ids.getOrDefault("virtunit-machine", ""))));
            } catch (RuntimeException gone) {
                // Removed meanwhile, or unreadable: no evidence either way.
            }
        }
        return owners;
    }

    /** Removes the run's host objects in order, each through {@code step} (which runs it and records the outcome). */
    void remove(String run, BiConsumer<String, Runnable> step) {
        for (ForeignPort port : foreignPorts) {
            if (Sweeper.runOf(port.port()).filter(run::equals).isPresent()) {
                step.accept("Open vSwitch port " + port.port() + " of " + port.bridge(),
                        () -> host.ovs().deletePort(port.bridge(), port.port()));
            }
        }
        ofRun(run, ovsBridges).forEach(bridge -> step.accept("Open vSwitch bridge " + bridge,
                () -> host.ovs().deleteBridge(bridge)));
        // Idempotent: a veth end that went with its peer, or with its namespace, is no failure.
        ofRun(run, links).forEach(link -> step.accept("link " + link, () -> host.links().deleteLink(link)));
        ofRun(run, namespaces).forEach(namespace -> step.accept("network namespace " + namespace
                + " and its processes", () -> host.namespaces().deleteNamespace(namespace)));
        ofRun(run, tables).forEach(table -> step.accept("nftables table ip " + table,
                () -> host.nftables().deleteTable(table)));
        // An impairment left open by a killed JVM: its tap went with the domain, its table did not.
        shapingTables.stream().filter(t -> Sweeper.runOf(t.name()).filter(run::equals).isPresent())
                .forEach(t -> step.accept("nftables table " + t.family() + " " + t.name(), () -> host.commands()
                        .check(NFT_TIMEOUT, List.of("nft", "delete", "table", t.family(), t.name()))));
    }

    private static List<String> ofRun(String run, List<String> names) {
        return names.stream().filter(name -> Sweeper.runOf(name).filter(run::equals).isPresent()).toList();
    }

    /** What could not be listed. */
    List<String> problems() {
        return List.copyOf(problems);
    }
}
