package dev.virtunit.it.crash;

import dev.virtunit.Bridge;
import dev.virtunit.BridgeSpec;
import dev.virtunit.Guest;
import dev.virtunit.GuestSpec;
import dev.virtunit.Lab;
import dev.virtunit.Upstream;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The JVM {@link SweepAfterCrashIT} kills: it provisions the topology of issue #9 (an upstream host, an Open vSwitch
 * bridge with NAT toward it, a Linux bridge, a guest on each bridge, booting side by side) and prints where it is,
 * one marker a line, so the test can kill it at a chosen point: {@code run <id>}, {@code upstream-made},
 * {@code networks-made}, {@code guest-booting}, {@code ready}. Then it plays a test that waits for orders on stdin:
 * {@code check} makes both guests answer over SSH and reach the upstream through the NAT ({@code still-answers}),
 * {@code quit} closes the lab and exits. End of input also closes the lab: the test that started it is gone.
 */
public final class CrashingLab {

    /** Shorter than the test's wait for a marker, so a guest that does not come up says why. */
    static final Duration BOOT_TIMEOUT = Duration.ofSeconds(100);

    private CrashingLab() {
    }

    public static void main(String[] args) throws Exception {
        Path image = Path.of(System.getProperty("virtunit.testImage"));
        try (Lab lab = Lab.start()) {
            say("run " + lab.runId());
            Upstream upstream = lab.upstream();
            say("upstream-made");
            Bridge ovs = lab.bridge(BridgeSpec.ovs().withNat(upstream.uplinkInterface()));
            Bridge linux = lab.bridge(BridgeSpec.linux());
            say("networks-made");
            say("guest-booting");
            CompletableFuture<Guest> onOvs = CompletableFuture.supplyAsync(() -> lab.guest(GuestSpec.builder()
                    .name("vu-" + lab.runId() + "-onovs").image(image).nic(ovs).bootTimeout(BOOT_TIMEOUT).build()));
            CompletableFuture<Guest> onLinux = CompletableFuture.supplyAsync(() -> lab.guest(GuestSpec.builder()
                    .name("vu-" + lab.runId() + "-onlinux").image(image).nic(linux).bootTimeout(BOOT_TIMEOUT).build()));
            List<Guest> guests;
            try {
                guests = List.of(onOvs.join(), onLinux.join());
            } catch (CompletionException e) {
                // The test that waits for "ready" shows this line: the phase the guest reached and its console.
                say("failed: " + e.getCause().getMessage().replace('\n', ' '));
                throw e;
            }
            say("ready");
            BufferedReader orders = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String order; (order = orders.readLine()) != null && !order.equals("quit"); ) {
                if (order.equals("check")) {
                    boolean answer = guests.stream().allMatch(guest -> guest.ssh().exec("true").exitCode() == 0);
                    boolean natWorks = upstream.sourceSeenFrom(guests.get(0), Duration.ofSeconds(20))
                            .filter(upstream.hostAddress()::equals).isPresent();
                    say(answer && natWorks ? "still-answers" : "not-answering (ssh " + answer + ", nat " + natWorks + ")");
                }
            }
            say("closing");
        }
        say("closed");
    }

    private static void say(String marker) {
        System.out.println(marker);
        System.out.flush();
    }
}
