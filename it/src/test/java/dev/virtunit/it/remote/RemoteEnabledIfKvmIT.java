package dev.virtunit.it.remote;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.virtunit.junit.EnabledIfKvm;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * {@code @EnabledIfKvm} with the second host's libvirt URI judges that host, through real JUnit: the run's lab logs
 * in there and asks its {@code /dev/kvm}, CPU flags, libvirt and remembered proof. The second host shares this
 * machine's CPU, whose paravirtual KVM boots no guest, so the class is skipped, and the reason names the second host,
 * not this machine. Runs only with {@code -Dvirtunit.secondHost=/var/lib/virtunit-hosts/<NAME>}.
 */
class RemoteEnabledIfKvmIT {

    private static final Logger LOG = LoggerFactory.getLogger(RemoteEnabledIfKvmIT.class);

    private static SecondHost secondHost;

    @TempDir
    Path stateDir;

    @BeforeAll
    static void named() throws IOException {
        secondHost = SecondHost.named();
    }

    @Test
    void theConditionJudgesTheSecondHostAndNamesIt() {
        String host = secondHost.get("user") + "@" + secondHost.get("address") + ":" + secondHost.get("port");

        EngineExecutionResults results = EngineTestKit.engine("junit-jupiter")
                .configurationParameters(secondHost.labProperties())
                .configurationParameter("virtunit.state.dir", stateDir.toString())
                .selectors(selectClass(NeedsKvm.class))
                .execute();

        List<String> reasons = results.containerEvents().skipped().stream()
                .map(event -> event.getPayload(String.class).orElse("")).toList();
        LOG.info("@EnabledIfKvm on {}: {}", secondHost.get("uri"), reasons);
        assertThat(reasons).singleElement().asString().startsWith("KVM is not usable on " + host + ": ");
        assertThat(results.testEvents().started().count()).as("tests started").isZero();
        assertThat(results.containerEvents().failed().stream().map(Event::toString).toList()).isEmpty();
    }

    @EnabledIfKvm
    static class NeedsKvm {
        @Test
        void runsOnlyWithKvm() {
        }
    }
}
