package dev.virtunit.junit;

import dev.virtunit.InvalidDeclarationException;
import dev.virtunit.internal.lab.FailureEvidence;
import dev.virtunit.internal.lab.TopologyPicture;
import dev.virtunit.internal.lab.FailureReport;
import dev.virtunit.internal.lab.LabSession;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

/**
 * The failure report of each test: which guests, bridges, networks and upstream hosts it used (those of its own
 * context and every enclosing one), and, after it ran and before anything of it is torn down, a {@link FailureReport}
 * in {@code <virtunit.report.dir>/<class>/<method>/}, published to JUnit's report as a directory where the platform
 * supports it (JUnit 5.12 on). {@code virtunit.report}: {@code on-failure} (default), {@code always}, {@code never}.
 * Nothing here may fail or hang the test: every problem is logged and written into the report's index.
 */
final class FailureReports {

    private static final Logger LOG = LoggerFactory.getLogger(FailureReports.class);
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(FailureReports.class);
    private static final String STARTED = "started";

    private FailureReports() {
    }

    /** Notes that {@code handle} lives in {@code context}: a test under it used it. */
    static void used(ExtensionContext context, Object handle) {
        ExtensionContext.Store store = context.getStore(NAMESPACE);
        synchronized (FailureReports.class) {
            @SuppressWarnings("unchecked")
            List<Object> own = store.get(context.getUniqueId(), List.class);
            if (own == null) {
                own = new CopyOnWriteArrayList<>();
                store.put(context.getUniqueId(), own);
            }
            own.add(handle);
        }
    }

    static void testStarts(ExtensionContext context) {
        context.getStore(NAMESPACE).put(STARTED + context.getUniqueId(), Instant.now());
    }

    /** Writes the test's report if it failed (or reports are asked for always); never throws. */
    static void testEnded(ExtensionContext context, Optional<LabSession> lab) {
        try {
            String mode = context.getConfigurationParameter("virtunit.report").orElse("on-failure").strip()
                    .toLowerCase(Locale.ROOT);
            if (!List.of("on-failure", "always", "never").contains(mode)) {
                throw new InvalidDeclarationException("setting virtunit.report is '" + mode + "'; use on-failure, "
                        + "always or never");
            }
            boolean failed = context.getExecutionException().isPresent();
            if (lab.isEmpty() || mode.equals("never") || (!failed && mode.equals("on-failure"))) {
                return;
            }
            List<Object> handles = handles(context);
            if (handles.isEmpty()) {
                return;
            }
            Path dir = folder(context);
            Instant started = Optional.ofNullable(context.getStore(NAMESPACE).get(STARTED + context.getUniqueId(),
                    Instant.class)).orElse(Instant.EPOCH);
            List<String> heading = new ArrayList<>();
            heading.add("# virtunit report: " + context.getRequiredTestClass().getName() + " " + context.getDisplayName());
            heading.add("");
            heading.add(context.getExecutionException().map(e -> "The test failed: " + e).orElse("The test passed "
                    + "(virtunit.report=always).").replace("\n", " "));
            Path index = new FailureReport(lab.get(), handles, started, contributors()).writeTo(dir, heading);
            publish(context, dir);
            LOG.warn("virtunit: report of {} {} in {}", context.getRequiredTestClass().getName(),
                    context.getDisplayName(), index);
        } catch (RuntimeException | LinkageError e) {
            LOG.warn("virtunit: could not write the report of {}: {}", context.getDisplayName(), e.toString());
        }
    }

    /**
     * Evidence other parts of virtunit contribute: the picture of the lab (the whole run's topology, so a failing
     * test's guests are seen with everything they could reach), also printed to the log for terminals.
     */
    private static List<FailureEvidence> contributors() {
        return List.of(new FailureEvidence() {
            @Override
            public String description() {
                return "topology picture of the run (text, Graphviz DOT, SVG and PNG)";
            }

            @Override
            public List<Path> writeTo(Path folder, LabSession lab, List<Object> handles) {
                TopologyPicture picture = TopologyPicture.of(lab);
                LOG.warn("virtunit: the topology when the test failed:\n{}", picture.asText());
                return picture.writeTo(folder);
            }
        });
    }

    /** The handles of this context and all enclosing ones, outermost first. */
    private static List<Object> handles(ExtensionContext context) {
        List<Object> all = new ArrayList<>();
        for (Optional<ExtensionContext> c = Optional.of(context); c.isPresent(); c = c.get().getParent()) {
            @SuppressWarnings("unchecked")
            List<Object> own = c.get().getStore(NAMESPACE).get(c.get().getUniqueId(), List.class);
            if (own != null) {
                all.addAll(0, own);
            }
        }
        return all;
    }

    /** {@code <virtunit.report.dir>/<class>/<method>}, with the invocation's number for repeated and parameterized tests. */
    static Path folder(ExtensionContext context) {
        Path root = Path.of(context.getConfigurationParameter("virtunit.report.dir").orElse("target/virtunit-reports"));
        String method = context.getRequiredTestMethod().getName();
        String id = context.getUniqueId();
        int invocation = id.lastIndexOf("-invocation:#");
        if (invocation >= 0) {
            method += "-" + id.substring(invocation + "-invocation:#".length()).replaceAll("\\D", "");
        }
        return root.resolve(context.getRequiredTestClass().getName()).resolve(method).toAbsolutePath();
    }

    /**
     * Attaches the folder to the test in JUnit's report ({@code ExtensionContext.publishDirectory}, JUnit 5.12 on):
     * the platform copies it to its output directory and tells its listeners. An older platform, or a launcher
     * without an output directory, keeps the folder only.
     */
    private static void publish(ExtensionContext context, Path dir) {
        try {
            context.publishDirectory("virtunit-report", target -> {
                try (Stream<Path> files = Files.walk(dir)) {
                    for (Path file : files.filter(Files::isRegularFile).toList()) {
                        Path copy = target.resolve(dir.relativize(file).toString());
                        Files.createDirectories(copy.getParent());
                        Files.copy(file, copy);
                    }
                }
            });
        } catch (NoSuchMethodError | NoClassDefFoundError e) {
            LOG.debug("virtunit: this JUnit platform cannot attach files (5.12 or later can); the report stays in {}", dir);
        } catch (RuntimeException e) {
            LOG.debug("virtunit: the report in {} was not attached to JUnit's report: {}", dir, e.toString());
        }
    }
}
