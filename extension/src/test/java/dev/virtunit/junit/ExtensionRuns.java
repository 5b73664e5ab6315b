package dev.virtunit.junit;

import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.container;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

/**
 * Runs a small test-case class through real JUnit with the extension on libvirt's in-memory {@code test:///default}
 * driver, its state in {@code stateDir}; and checks that whatever failed, the run left no record, pool directory or
 * subnet lease.
 */
final class ExtensionRuns {

    private ExtensionRuns() {
    }

    static EngineExecutionResults run(Class<?> testCase, Path stateDir, Map<String, String> parameters) {
        EngineExecutionResults results = EngineTestKit.engine("junit-jupiter")
                .configurationParameter("virtunit.libvirt.uri", "test:///default")
                .configurationParameter("virtunit.state.dir", stateDir.toString())
                .configurationParameter("virtunit.cache.dir", stateDir.resolve("cache").toString())
                .configurationParameters(parameters)
                .selectors(selectClass(testCase))
                .execute();
        assertThat(listing(stateDir.resolve("runs"))).as("run records left").isEmpty();
        assertThat(listing(stateDir.resolve("pools"))).as("pool directories left").isEmpty();
        assertThat(listing(stateDir.resolve("leases"))).as("subnet leases left").isEmpty();
        return results;
    }

    /** The class failed with {@code type} and exactly {@code expectedMessage}, and no test of it started. */
    static void assertClassFailed(EngineExecutionResults results, Class<?> testCase,
                                  Class<? extends Throwable> type, String expectedMessage) {
        results.containerEvents().assertThatEvents().haveExactly(1,
                event(container(testCase), finishedWithFailure(instanceOf(type), message(expectedMessage))));
        results.testEvents().assertStatistics(stats -> stats.started(0));
    }

    private static List<String> listing(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (var files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
