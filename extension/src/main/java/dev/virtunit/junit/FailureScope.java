package dev.virtunit.junit;

import dev.virtunit.CleanupMode;
import dev.virtunit.internal.lab.LabSession;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Whether anything under one JUnit context (a class, a test, a parameterized test's invocation) failed, and what was
 * kept for inspection because of it. A static guest lives in its class's context, whose own execution exception
 * stays empty when only a test of the class failed; so each context carries one of these, put in its store before
 * anything of ours, which JUnit therefore closes after that context's guests and networks: a failure then travels
 * up to the enclosing contexts (a failed test keeps its class's static guests and networks, a failed {@code @Nested}
 * class its outer class's), and what was kept is logged in one block per class.
 */
final class FailureScope implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FailureScope.class);
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(FailureScope.class);

    private final ExtensionContext context;
    private volatile boolean failedBelow;
    private final List<String> kept = new ArrayList<>();
    private LabSession lab;

    private FailureScope(ExtensionContext context) {
        this.context = context;
    }

    /**
     * The scope of {@code context}, made on first use. Keyed by the context's unique id: a store also answers with
     * its parents' values, and a context must never take its parent's scope for its own.
     */
    static FailureScope of(ExtensionContext context) {
        ExtensionContext.Store store = context.getStore(NAMESPACE);
        synchronized (FailureScope.class) {
            FailureScope scope = store.get(context.getUniqueId(), FailureScope.class);
            if (scope == null) {
                scope = new FailureScope(context);
                store.put(context.getUniqueId(), scope);
            }
            return scope;
        }
    }

    private static Optional<FailureScope> existing(ExtensionContext context) {
        return Optional.ofNullable(context.getStore(NAMESPACE).get(context.getUniqueId(), FailureScope.class));
    }

    /** Whether this context, or one under it that has ended, failed: in a callback, a test, or a nested class. */
    boolean failed() {
        return failedBelow || context.getExecutionException().isPresent();
    }

    /** Whether what lives for this context is kept, under {@code mode}: always with never, after a failure with on-success. */
    boolean keeps(CleanupMode mode) {
        return mode == CleanupMode.NEVER || (mode == CleanupMode.ON_SUCCESS && failed());
    }

    /** Notes something kept, with its "how to reach it" lines, for this context's block (or its class's). */
    synchronized void kept(LabSession lab, String howToReach) {
        this.lab = lab;
        kept.add(howToReach);
    }

    private synchronized void keptBelow(LabSession lab, List<String> lines) {
        this.lab = lab;
        kept.addAll(lines);
    }

    /** The context ended: its failure goes to the enclosing scope, and what it kept to its class's block. */
    @Override
    public void close() {
        Optional<FailureScope> enclosing = Optional.empty();
        for (Optional<ExtensionContext> c = context.getParent(); c.isPresent() && enclosing.isEmpty(); c = c.get().getParent()) {
            enclosing = existing(c.get());
        }
        if (failed()) {
            enclosing.ifPresent(scope -> scope.failedBelow = true);
        }
        List<String> lines;
        LabSession keptBy;
        synchronized (this) {
            lines = List.copyOf(kept);
            keptBy = lab;
        }
        if (lines.isEmpty()) {
            return;
        }
        boolean isClass = context.getTestMethod().isEmpty();
        if (!isClass && enclosing.isPresent()) {
            enclosing.get().keptBelow(keptBy, lines);
            return;
        }
        String what = context.getTestClass().map(Class::getName).orElse("") + (isClass ? "" : " " + context.getDisplayName());
        StringBuilder block = new StringBuilder("virtunit kept what ").append(what)
                .append(" made, for inspection (cleanup ").append(keptBy.config().cleanup().settingValue())
                .append(failed() ? ", and a test failed" : "").append("):");
        lines.forEach(line -> block.append("\n  ").append(line.replace("\n", "\n  ")));
        block.append("\n  ").append(keptBy.keptUntilNote());
        LOG.warn(block.toString());
    }
}
