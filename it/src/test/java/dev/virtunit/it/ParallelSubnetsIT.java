package dev.virtunit.it;

import dev.virtunit.Bridge;
import dev.virtunit.junit.LibvirtTest;
import dev.virtunit.junit.LinuxBridge;
import dev.virtunit.junit.OvsBridge;
import dev.virtunit.internal.host.Command;
import dev.virtunit.Cidr;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * Bridges with automatic subnets, declared by test classes that run in parallel: every subnet is distinct, none
 * overlaps a route the host had, and all are gone afterwards.
 */
class ParallelSubnetsIT {

    static final List<String> subnets = new CopyOnWriteArrayList<>();

    @LibvirtTest
    static class First {
        @OvsBridge
        static Bridge a;
        @LinuxBridge
        static Bridge b;

        @Test
        void record() {
            subnets.add(a.cidr());
            subnets.add(b.cidr());
        }
    }

    @LibvirtTest
    static class Second {
        @OvsBridge
        static Bridge c;
        @LinuxBridge
        static Bridge d;

        @Test
        void record() {
            subnets.add(c.cidr());
            subnets.add(d.cidr());
        }
    }

    @Test
    void parallelClassesGetDistinctFreeSubnets() {
        String routesBefore = Command.check(Duration.ofSeconds(10), "ip", "-4", "route").stdout();

        EngineExecutionResults results = EngineTestKit.engine("junit-jupiter")
                .configurationParameter("junit.jupiter.execution.parallel.enabled", "true")
                .configurationParameter("junit.jupiter.execution.parallel.mode.classes.default", "concurrent")
                .selectors(selectClass(First.class), selectClass(Second.class))
                .execute();

        results.testEvents().assertStatistics(stats -> stats.succeeded(2));
        assertThat(subnets).hasSize(4).doesNotHaveDuplicates();
        for (String subnet : subnets) {
            for (String other : subnets) {
                if (!subnet.equals(other)) {
                    assertThat(Cidr.parse(subnet).overlaps(Cidr.parse(other))).as(subnet + " vs " + other).isFalse();
                }
            }
            assertThat(routesBefore).doesNotContain(subnet);
        }
        assertThat(Command.check(Duration.ofSeconds(10), "ip", "-4", "route").stdout()).isEqualTo(routesBefore);
    }
}
