package dev.virtunit;

import java.util.List;

/**
 * A set of guests and the networks and disks they use, made through libvirt and removed together. The JUnit
 * extension keeps one per test run; code that computes its topology, or runs outside JUnit, uses one directly:
 * <pre>{@code
 * try (Lab lab = Lab.start()) {
 *     Guest guest = lab.guest(GuestSpec.builder().image(Path.of("router.qcow2")).build());
 *     guest.ssh().exec("ip route");
 * }
 * }</pre>
 *
 * @since 0.1
 */
public interface Lab extends AutoCloseable {

    /**
     * Connects to libvirt with the settings from system properties, environment variables and defaults.
     *
     * @return the started lab; close it to tear down what it created
     */
    static Lab start() {
        return start(LabConfig.fromEnvironment());
    }

    /**
     * Connects to libvirt with {@code config}; a host that cannot run guests gives {@link HostUnavailableException}.
     * The implementation is found as a {@link LabProvider} service, virtunit's own unless another is registered.
     *
     * @param config the settings, e.g. {@link LabConfig#fromEnvironment()}
     * @return the started lab; close it to tear down what it created
     */
    static Lab start(LabConfig config) {
        return Providers.labProvider().start(config);
    }

    /** {@return this run's id; every object the lab creates has it in its name ({@code vu-<run>-...})} */
    String runId();

    /** {@return the settings in force} */
    LabConfig config();

    /**
     * Creates a guest, boots it and waits until it is ready (running, addressed, answering SSH).
     *
     * @return the ready guest; removed when the lab closes, or earlier with {@link #remove(Guest)}
     * @param spec what the guest should be
     */
    Guest guest(GuestSpec spec);

    /**
     * Creates several guests that boot side by side (as many at once as the host's boot slots allow, see
     * {@code virtunit.boot.concurrency}) and waits until all are ready. Faster than {@link #guest(GuestSpec)} one
     * after another, which boots each only when the one before answers SSH. If any guest fails, every guest of the
     * call is removed and the first failure is thrown.
     *
     * @return the ready guests, in the order of {@code specs}
     * @param specs what the guests should be
     * @since 0.3
     */
    List<Guest> guests(List<GuestSpec> specs);

    /**
     * Creates a bridge (Open vSwitch or Linux), its gateway address and its NAT.
     *
     * @return the bridge, up and addressed; removed when the lab closes
     * @param spec what the bridge should be
     */
    Bridge bridge(BridgeSpec spec);

    /**
     * Defines and starts a libvirt network (autostart off), as {@code virsh net-define} and {@code net-start}.
     *
     * @return the running network; removed when the lab closes
     * @param spec what the network should be
     */
    Network network(NetworkSpec spec);

    /**
     * Creates an upstream host: a namespace playing the outside world, with an echo service.
     *
     * @return the upstream host; removed when the lab closes
     */
    Upstream upstream();

    /**
     * What the lab holds now, as a picture: guests with their NICs and addresses, bridges with their kind, gateway
     * and VLANs, NAT with its uplink and port forwards, upstream hosts and libvirt networks. Write it as Graphviz DOT,
     * SVG or PNG, or print it ({@link Topology#toString()} is the text form):
     * <pre>{@code
     * lab.topology().writeSvg(Path.of("target/topology.svg"));
     * }</pre>
     *
     * @return a snapshot; later changes to the lab do not show in it
     * @since 0.2
     */
    Topology topology();

    /**
     * Removes a guest and its disks now rather than at {@link #close()}. Idempotent.
     *
     * @param guest a guest this lab created
     */
    void remove(Guest guest);

    /**
     * Removes everything the lab created, newest first, going on past failures and reporting them together.
     * Honours the configured {@link CleanupMode} only through {@link #close(boolean)}.
     */
    @Override
    void close();

    /**
     * Closes the lab after a run that {@code succeeded} or not: with cleanup {@code on-success} a failed run keeps
     * everything and logs how to reach the guests; with {@code never} everything is kept.
     *
     * @param succeeded whether the tests that used the lab passed
     */
    void close(boolean succeeded);
}
