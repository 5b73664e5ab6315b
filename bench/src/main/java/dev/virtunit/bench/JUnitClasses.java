package dev.virtunit.bench;

import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * Runs test classes through the JUnit Platform Launcher, as Maven's Surefire would, with the classes concurrent
 * ({@code junit.jupiter.execution.parallel.enabled=true}, classes {@code concurrent}, methods {@code same_thread}, a
 * fixed parallelism of one thread per class) or one after another, and times the whole execution. Each execution
 * is a JUnit run of its own, so it starts and closes its own lab.
 *
 * @since 0.3
 */
public final class JUnitClasses {

    private final List<Class<?>> classes;

    /** @param classes the test classes to run */
    public JUnitClasses(List<Class<?>> classes) {
        this.classes = List.copyOf(classes);
    }

    /**
     * Runs the classes once.
     *
     * @param parallel classes concurrent, or one after another
     * @param run      the run's number
     * @return the wall time
     * @throws IllegalStateException when a test failed or none ran, with JUnit's report of the failures
     */
    public ParallelClassesRun run(boolean parallel, int run) {
        LauncherDiscoveryRequest request = request(parallel);
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        long began = System.nanoTime();
        launcher.execute(request, listener);
        double seconds = (System.nanoTime() - began) / 1e9;
        TestExecutionSummary summary = listener.getSummary();
        if (summary.getTotalFailureCount() > 0 || summary.getTestsSucceededCount() < classes.size()) {
            StringWriter report = new StringWriter();
            summary.printFailuresTo(new PrintWriter(report), 30);
            throw new IllegalStateException("the JUnit classes (" + (parallel ? "concurrent" : "one after another")
                    + ") did not all pass: " + summary.getTestsSucceededCount() + " of " + summary.getTestsFoundCount()
                    + " tests passed, " + summary.getContainersFailedCount() + " classes failed\n" + report);
        }
        ParallelClassesRun result = new ParallelClassesRun(parallel, run, seconds);
        System.out.printf("  [junit] %s, run %d: %.2f s%n", result.mode(), run, seconds);
        return result;
    }

    LauncherDiscoveryRequest request(boolean parallel) {
        return LauncherDiscoveryRequestBuilder.request()
                .selectors(classes.stream().map(type -> selectClass(type)).toList())
                .configurationParameter("junit.jupiter.execution.parallel.enabled", Boolean.toString(parallel))
                .configurationParameter("junit.jupiter.execution.parallel.mode.default", "same_thread")
                .configurationParameter("junit.jupiter.execution.parallel.mode.classes.default", "concurrent")
                .configurationParameter("junit.jupiter.execution.parallel.config.strategy", "fixed")
                .configurationParameter("junit.jupiter.execution.parallel.config.fixed.parallelism",
                        Integer.toString(classes.size()))
                .build();
    }
}
